package pgserver

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// probes remembers the output of the commands FindBinaries runs on every
// pg-flux command (`pg_config --bindir`, `postgres --version`), keyed by
// what decides it: the program file's identity (device, inode, size,
// modification time) and, for pg_config, the directory of installed
// majors that Debian's pg_config picks from. Starting those programs
// costs more CPU than reading a small schema's catalog; a few stat calls
// replace them. The memo is a file in pg-flux's cache directory; when it
// cannot be read or written the commands simply run.
type probes struct {
	path    string
	entries map[string]string
	dirty   bool
}

func loadProbes() *probes {
	p := &probes{entries: map[string]string{}}
	dir, err := CacheDir()
	if err != nil {
		return p
	}
	p.path = filepath.Join(dir, "probes")
	f, err := os.Open(p.path)
	if err != nil {
		return p
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "\t"); ok {
			if out, err := strconv.Unquote(v); err == nil {
				p.entries[k] = out
			}
		}
	}
	return p
}

// output returns program's output for args, from the memo when program
// (and every file of extra) is unchanged since it was stored.
func (p *probes) output(program string, args []string, extra ...string) (string, error) {
	key := fileIdentity(program)
	if key == "" {
		out, err := exec.Command(program, args...).Output()
		return string(out), err
	}
	key = program + " " + strings.Join(args, " ") + " " + key
	for _, e := range extra {
		key += " " + fileIdentity(e)
	}
	if out, ok := p.entries[key]; ok {
		return out, nil
	}
	out, err := exec.Command(program, args...).Output()
	if err != nil {
		return "", err
	}
	p.entries[key], p.dirty = string(out), true
	return string(out), nil
}

// fileIdentity names the file's current content as far as stat can tell;
// "" when it cannot be read.
func fileIdentity(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d:%d:%d:%d", st.Dev, st.Ino, fi.Size(), fi.ModTime().UnixNano())
}

// save writes the memo when it changed: a new file renamed over the old,
// so that concurrent commands never read half of one.
func (p *probes) save() {
	if !p.dirty || p.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.path), "probes-*")
	if err != nil {
		return
	}
	w := bufio.NewWriter(tmp)
	for k, v := range p.entries {
		if !strings.ContainsAny(k, "\t\n") {
			fmt.Fprintf(w, "%s\t%s\n", k, strconv.Quote(v))
		}
	}
	if w.Flush() != nil || tmp.Close() != nil || os.Rename(tmp.Name(), p.path) != nil {
		os.Remove(tmp.Name())
	}
}
