package codegen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The compile checks run the generated all-kinds output through the real
// toolchains: go vet, tsc --strict (with zod and kysely), mypy --strict and
// cargo check. .ci/toolchains.sh installs them; a missing one fails the
// test, naming that script.

const toolchainsHint = "install the toolchains with .ci/toolchains.sh (as root on Debian)"

func toolchainCache() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "pg-flux", "toolchains")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "pg-flux", "toolchains")
}

// writeOutputs writes every golden output under dir/<output>.
func writeOutputs(t *testing.T, dir string, outs map[string][]File) {
	t.Helper()
	for out, files := range outs {
		for _, f := range files {
			p := filepath.Join(dir, out, f.Path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestToolchains(t *testing.T) {
	outs := generateAll(t, allKindsModel(t))
	t.Run("go", func(t *testing.T) { checkGo(t, outs) })
	t.Run("ts", func(t *testing.T) { checkTS(t, outs) })
	t.Run("python", func(t *testing.T) { checkPython(t, outs) })
	t.Run("rust", func(t *testing.T) { checkRust(t, outs) })
}

func pick(outs map[string][]File, lang string) map[string][]File {
	sel := map[string][]File{}
	for _, o := range goldenOutputs {
		if o.Lang == lang {
			sel[o.Out] = outs[o.Out]
		}
	}
	return sel
}

// checkGo vets the Go outputs in a module of their own; pgx and uuid come
// from the module cache or the module proxy.
func checkGo(t *testing.T, outs map[string][]File) {
	t.Parallel()
	dir := t.TempDir()
	writeOutputs(t, dir, pick(outs, "go"))
	write(t, filepath.Join(dir, "go.mod"), "module gencheck\n\ngo 1.22\n")
	env := []string{"GOFLAGS=-mod=mod", "GOWORK=off"}
	run(t, dir, env, "go", "get", "github.com/jackc/pgx/v5@v5.12.0", "github.com/google/uuid@v1.6.0")
	run(t, dir, env, "go", "vet", "./...")
}

// tsKyselyCheck is a Kysely query file that must type-check against the
// generated types, and Supabase-shaped uses of Database.
const tsKyselyCheck = `import { Kysely } from "kysely";
import type { Database, KyselyDatabase, Users } from "./ts/database";
import { usersInsertSchema } from "./ts/database.zod";

declare const db: Kysely<KyselyDatabase>;

export async function queries(): Promise<void> {
  const rows = await db.selectFrom("users").select(["id", "email", "mood"]).where("mood", "=", "happy").execute();
  const id: number = rows[0].id;
  await db.insertInto("users").values({ email: "a@example.com", name: null }).execute();
  await db.updateTable("users").set({ name: "x" }).where("id", "=", id).execute();
  // @ts-expect-error an identity ALWAYS column cannot be inserted
  await db.insertInto("users").values({ id: 1, email: "a@example.com" }).execute();
  const inv = await db.selectFrom("billing.invoices").selectAll().executeTakeFirstOrThrow();
  const total: string = inv.total;
  const names = await db.selectFrom("active_users").select("email").execute();
  const email: string | null = names[0].email;
  void total;
  void email;
}

type Public = Database["public"];
export const row: Public["Tables"]["users"]["Row"] = {} as Users;
export const mood: Public["Enums"]["mood"] = "so-so";
export const insert: Public["Tables"]["users"]["Insert"] = usersInsertSchema.parse({ email: "a@example.com" });
export type Stats = Public["Functions"]["user_stats"]["Returns"];
export type Adds = Public["Functions"]["add"]["Args"];
`

func checkTS(t *testing.T, outs map[string][]File) {
	t.Parallel()
	nodeModules := filepath.Join(toolchainCache(), "node", "node_modules")
	tsc := filepath.Join(nodeModules, ".bin", "tsc")
	for _, p := range []string{tsc, filepath.Join(nodeModules, "zod"), filepath.Join(nodeModules, "kysely")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: %s", p, toolchainsHint)
		}
	}
	dir := t.TempDir()
	writeOutputs(t, dir, pick(outs, "ts"))
	if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "check.ts"), tsKyselyCheck)
	write(t, filepath.Join(dir, "tsconfig.json"), `{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022",
  "module": "commonjs", "moduleResolution": "node", "skipLibCheck": false, "lib": ["es2022"]},
  "include": ["**/*.ts"]}`)
	run(t, dir, nil, tsc, "--strict", "--noEmit", "-p", ".")
}

// python returns a python3 that has mypy: Debian's (python3-mypy) first.
func python(t *testing.T) string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(p, "-c", "import mypy, pydantic").Run(); err == nil {
			return p
		}
	}
	t.Fatalf("no python3 with mypy and pydantic: %s", toolchainsHint)
	return ""
}

func checkPython(t *testing.T, outs map[string][]File) {
	t.Parallel()
	py := python(t)
	dir := t.TempDir()
	sel := pick(outs, "python")
	writeOutputs(t, dir, sel)
	for out := range sel {
		run(t, filepath.Join(dir, out), []string{"MYPY_CACHE_DIR=" + filepath.Join(dir, ".mypy_cache_"+out)},
			py, "-m", "mypy", "--strict", "--no-incremental", "models.py")
		// Importing runs the class bodies: dataclass, pydantic and
		// TypedDict definitions must also be valid at run time.
		run(t, filepath.Join(dir, out), nil, py, "-c", "import models")
	}
}

func cargo(t *testing.T) string {
	if p, err := exec.LookPath("cargo"); err == nil {
		return p
	}
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".cargo", "bin", "cargo")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Fatalf("no cargo: %s", toolchainsHint)
	return ""
}

// checkRust compiles the Rust outputs in a crate whose dependencies come
// from Debian's crate registry (/usr/share/cargo/registry), offline. The
// sqlx derives sit behind the crate feature "sqlx", declared and off.
func checkRust(t *testing.T, outs map[string][]File) {
	t.Parallel()
	const registry = "/usr/share/cargo/registry"
	if _, err := os.Stat(filepath.Join(registry)); err != nil {
		t.Fatalf("no crate registry at %s: %s", registry, toolchainsHint)
	}
	cargoBin := cargo(t)
	dir := t.TempDir()
	sel := pick(outs, "rust")
	writeOutputs(t, filepath.Join(dir, "src"), sel)
	var lib strings.Builder
	for _, o := range goldenOutputs {
		if o.Lang == "rust" {
			lib.WriteString("#[path = \"" + o.Out + "/models.rs\"]\npub mod " + o.Out + ";\n")
		}
	}
	write(t, filepath.Join(dir, "src", "lib.rs"), lib.String())
	write(t, filepath.Join(dir, "Cargo.toml"), `[package]
name = "gencheck"
version = "0.1.0"
edition = "2021"

[features]
sqlx = []

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", features = ["serde"] }
uuid = { version = "1", features = ["serde"] }
rust_decimal = { version = "1", features = ["serde"] }
`)
	write(t, filepath.Join(dir, ".cargo", "config.toml"), `[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "`+registry+`"
`)
	target := filepath.Join(toolchainCache(), "cargo-target")
	run(t, dir, []string{"CARGO_TARGET_DIR=" + target}, cargoBin, "check", "--offline", "--quiet")
}
