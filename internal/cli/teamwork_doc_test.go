package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// transcript is one ```console block of a doc: commands and what they print.
type transcript []transcriptStep

type transcriptStep struct {
	line   string   // the command, without "$ " and the "# exits N" note
	code   int      // expected exit status
	expect []string // lines expected in the output, in order
}

var exitsNote = regexp.MustCompile(`\s+#\s*exits\s+(\d+)\s*$`)

// docTranscripts returns the console blocks of the section of a Markdown
// file that starts at heading.
func docTranscripts(t *testing.T, path, heading string) []transcript {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("%s: no %q section", path, heading)
	}
	text = text[i+len(heading)+2:]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	var out []transcript
	for {
		start := strings.Index(text, "```console\n")
		if start < 0 {
			return out
		}
		text = text[start+len("```console\n"):]
		end := strings.Index(text, "```")
		var tr transcript
		for _, l := range strings.Split(strings.TrimRight(text[:end], "\n"), "\n") {
			if cmd, ok := strings.CutPrefix(l, "$ "); ok {
				st := transcriptStep{line: cmd}
				if m := exitsNote.FindStringSubmatch(cmd); m != nil {
					st.code, _ = strconv.Atoi(m[1])
					st.line = cmd[:len(cmd)-len(m[0])]
				}
				tr = append(tr, st)
			} else if len(tr) > 0 && strings.TrimSpace(l) != "" {
				tr[len(tr)-1].expect = append(tr[len(tr)-1].expect, l)
			}
		}
		out = append(out, tr)
		text = text[end+3:]
	}
}

// expectedLine turns a transcript line into a pattern: <ts> is a file's
// timestamp, … any text, runs of spaces any spacing.
func expectedLine(l string) *regexp.Regexp {
	re := regexp.QuoteMeta(strings.TrimSpace(l))
	re = strings.ReplaceAll(re, "<ts>", `\d{8}_\d{6}`)
	re = strings.ReplaceAll(re, "…", `.*`)
	re = regexp.MustCompile(` {2,}`).ReplaceAllString(re, `\s+`)
	return regexp.MustCompile(re)
}

// replay runs a transcript in the project: pg-flux commands in process
// (with the project's database), anything else with sh.
func (p *liveProject) replay(tr transcript) {
	p.t.Helper()
	for _, st := range tr {
		if args, ok := strings.CutPrefix(st.line, "pg-flux "); ok {
			r := p.must(st.code, strings.Fields(args)...)
			lines := strings.Split(r.stdout+r.stderr, "\n")
			at := 0
			for _, want := range st.expect {
				re := expectedLine(want)
				for at < len(lines) && !re.MatchString(lines[at]) {
					at++
				}
				if at == len(lines) {
					p.t.Fatalf("$ %s: no line matches %q\n%s", st.line, want, r)
				}
				at++
			}
			continue
		}
		cmd := exec.Command("sh", "-c", st.line)
		cmd.Dir = p.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			p.t.Fatalf("$ %s: %v\n%s", st.line, err, out)
		}
	}
}

// TestTeamworkDoc replays the two-branch transcripts of docs/teamwork.md,
// each merge order on a fresh database and repository.
func TestTeamworkDoc(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to replay docs/teamwork.md")
	}
	doc, err := filepath.Abs("../../docs/teamwork.md")
	if err != nil {
		t.Fatal(err)
	}
	trs := docTranscripts(t, doc, "## Two branches")
	if len(trs) != 3 {
		t.Fatalf("docs/teamwork.md: want the common start and two merge orders, found %d console blocks", len(trs))
	}
	for i, order := range trs[1:] {
		t.Run("merge order "+strconv.Itoa(i+1), func(t *testing.T) {
			p := newLiveProject(t)
			p.replay(trs[0])
			p.replay(order)
		})
	}
}
