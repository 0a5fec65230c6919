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
	subs := func(lang string) []string {
		var out []string
		for _, o := range goldenOutputs {
			if o.Lang == lang {
				out = append(out, o.Out)
			}
		}
		return out
	}
	t.Run("go", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeOutputs(t, dir, pick(outs, "go"))
		goVet(t, dir)
	})
	t.Run("ts", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeOutputs(t, dir, pick(outs, "ts"))
		write(t, filepath.Join(dir, "check.ts"), tsKyselyCheck)
		tsc(t, dir)
	})
	t.Run("python", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeOutputs(t, dir, pick(outs, "python"))
		mypy(t, dir, subs("python"))
		// A pydantic field named other than its column is given by
		// either name; mypy cannot tell.
		run(t, dir, nil, python(t), "-c", `from python_pydantic.models import OrderLinesInsert as M
a = M(Type="x", type_="t", class_=1)
b = M.parse_obj({"Type": "x", "type": "t", "class": 1})
assert (a.type_, a.class_) == ("t", 1) and a == b, (a, b)`)
	})
	t.Run("rust", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeOutputs(t, filepath.Join(dir, "src"), pick(outs, "rust"))
		cargoCheck(t, dir, subs("rust"))
	})
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

// goVet vets the Go packages under dir in a module of their own; pgx and
// uuid come from the module cache or the module proxy.
func goVet(t *testing.T, dir string) {
	write(t, filepath.Join(dir, "go.mod"), "module gencheck\n\ngo 1.22\n")
	env := []string{"GOFLAGS=-mod=mod", "GOWORK=off"}
	run(t, dir, env, "go", "get", "github.com/jackc/pgx/v5@v5.12.0", "github.com/google/uuid@v1.6.0")
	run(t, dir, env, "go", "vet", "./...")
}

// tsKyselyCheck is a Kysely query file that must type-check against the
// generated types, and Supabase-shaped uses of Database: each schema
// satisfies GenericSchema, the constraint Supabase's createClient<Database>()
// puts on it (copied from @supabase/postgrest-js, which is not installed),
// which needs every row, insert, update and argument type to be assignable
// to Record<string, unknown> — a type alias is, an interface is not.
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

type GenericRelationship = {
  foreignKeyName: string;
  columns: string[];
  isOneToOne?: boolean;
  referencedRelation: string;
  referencedColumns: string[];
};
type GenericTable = {
  Row: Record<string, unknown>;
  Insert: Record<string, unknown>;
  Update: Record<string, unknown>;
  Relationships: GenericRelationship[];
};
type GenericView =
  | { Row: Record<string, unknown>; Insert: Record<string, unknown>; Update: Record<string, unknown>; Relationships: GenericRelationship[] }
  | { Row: Record<string, unknown>; Relationships: GenericRelationship[] };
type GenericFunction = { Args: Record<string, unknown>; Returns: unknown };
type GenericSchema = {
  Tables: Record<string, GenericTable>;
  Views: Record<string, GenericView>;
  Functions: Record<string, GenericFunction>;
};
type IsSchema<S extends GenericSchema> = S;
export type Schemas = [IsSchema<Database["public"]>, IsSchema<Database["billing"]>];
export const plain: Record<string, unknown> = {} as Users;
`

// tsc type-checks every .ts file under dir with --strict, zod and kysely
// from the toolchain cache.
func tsc(t *testing.T, dir string) {
	nodeModules := filepath.Join(toolchainCache(), "node", "node_modules")
	bin := filepath.Join(nodeModules, ".bin", "tsc")
	for _, p := range []string{bin, filepath.Join(nodeModules, "zod"), filepath.Join(nodeModules, "kysely")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: %s", p, toolchainsHint)
		}
	}
	if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "tsconfig.json"), `{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022",
  "module": "commonjs", "moduleResolution": "node", "skipLibCheck": false, "lib": ["es2022"]},
  "include": ["**/*.ts"]}`)
	run(t, dir, nil, bin, "--strict", "--noEmit", "-p", ".")
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

// mypy checks dir/<sub>/models.py of each sub as package sub, in one run,
// and imports each: dataclass, pydantic and TypedDict definitions must
// also be valid at run time.
func mypy(t *testing.T, dir string, subs []string) {
	py := python(t)
	args := []string{"-m", "mypy", "--strict", "--no-incremental"}
	for _, s := range subs {
		write(t, filepath.Join(dir, s, "__init__.py"), "")
		args = append(args, "-p", s)
	}
	run(t, dir, []string{"MYPY_CACHE_DIR=" + filepath.Join(dir, ".mypy_cache")}, py, args...)
	var imp strings.Builder
	for _, s := range subs {
		imp.WriteString("import " + s + ".models\n")
	}
	run(t, dir, nil, py, "-c", imp.String())
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

// cargoCheck compiles dir/src/<sub>/models.rs of each sub as a module of a
// crate whose dependencies come from Debian's crate registry
// (/usr/share/cargo/registry), offline. The sqlx derives sit behind the
// crate feature "sqlx", declared and off.
func cargoCheck(t *testing.T, dir string, subs []string) {
	const registry = "/usr/share/cargo/registry"
	if _, err := os.Stat(filepath.Join(registry)); err != nil {
		t.Fatalf("no crate registry at %s: %s", registry, toolchainsHint)
	}
	cargoBin := cargo(t)
	var lib strings.Builder
	for _, s := range subs {
		lib.WriteString("#[path = \"" + s + "/models.rs\"]\npub mod " + s + ";\n")
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

// TestRustUpdateNullRoundTrip: in an update, a nullable column is
// Option<Option<T>>: None leaves it unchanged, Some(None) sets NULL. serde
// reads a null as the outer None unless told otherwise, so a JSON update
// {"name": null} would leave the column as it was. This compiles and runs
// the generated code with serde_json.
func TestRustUpdateNullRoundTrip(t *testing.T) {
	m := loadModel(t, `CREATE TABLE people (id int PRIMARY KEY, name text);`, []string{"public"})
	spec, err := BuildSpec(m, nil, Languages)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(spec, Output{Lang: "rust", Out: "r", Numeric: "rust_decimal", Time: "chrono", Sqlx: "feature"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "src", "r", "models.rs"), string(files[0].Content))
	cargoCheck(t, dir, []string{"r"})
	write(t, filepath.Join(dir, "tests", "update.rs"), `use gencheck::r::PeopleUpdate;

#[test]
fn null_sets_null_and_absent_leaves() {
    let set: PeopleUpdate = serde_json::from_str(r#"{"name": null}"#).unwrap();
    assert_eq!(set.name, Some(None));
    let left: PeopleUpdate = serde_json::from_str("{}").unwrap();
    assert_eq!(left.name, None);
    let given: PeopleUpdate = serde_json::from_str(r#"{"name": "x", "id": 1}"#).unwrap();
    assert_eq!(given.name, Some(Some("x".to_string())));
    assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"name":null}"#);
    assert_eq!(serde_json::to_string(&left).unwrap(), "{}");
}
`)
	target := filepath.Join(toolchainCache(), "cargo-target")
	run(t, dir, []string{"CARGO_TARGET_DIR=" + target}, cargo(t), "test", "--offline", "--quiet")
}
