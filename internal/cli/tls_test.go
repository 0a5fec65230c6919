package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// certPair is a certificate and its key, PEM-encoded.
type certPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	kpem []byte
}

// makeCert makes a CA (parent nil) or a server certificate for localhost
// signed by parent.
func makeCert(t *testing.T, cn string, parent *certPair) *certPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &certPair{cert: cert, key: key,
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		kpem: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})}
}

// serverFile writes a file the PostgreSQL server's OS user owns (nobody
// when the tests run as root), as it requires of its key.
func serverFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		return
	}
	name := os.Getenv("PGFLUX_SERVER_USER")
	if name == "" {
		name = "nobody"
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestTLSVerifyFull: against a server with a certificate signed by a CA
// made here, sslmode=verify-full with that CA works for the commands that
// read live; with another CA the connection is refused with a message that
// names the certificate problem, and no password.
func TestTLSVerifyFull(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pg-flux-tls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	ca := makeCert(t, "pg-flux test CA", nil)
	other := makeCert(t, "some other CA", nil)
	server := makeCert(t, "localhost", ca)
	serverFile(t, filepath.Join(dir, "server.crt"), server.pem)
	serverFile(t, filepath.Join(dir, "server.key"), server.kpem)
	writeFile(t, filepath.Join(dir, "ca.crt"), string(ca.pem))
	writeFile(t, filepath.Join(dir, "other.crt"), string(other.pem))

	bin, err := pgserver.FindBinaries(pgtest.Major())
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	c, err := pgserver.Start(ctx, pgserver.Options{Binaries: bin, Port: port, Settings: []string{
		"listen_addresses=127.0.0.1", "ssl=on",
		"ssl_cert_file=" + filepath.Join(dir, "server.crt"), "ssl_key_file=" + filepath.Join(dir, "server.key"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	admin, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{"CREATE DATABASE app", "ALTER ROLE postgres PASSWORD 'tls-secret-pw'"} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	admin.Close(ctx)
	appDSN := c.DSN("app")
	if conn, err := pgx.Connect(ctx, appDSN); err == nil {
		conn.Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY)")
		conn.Close(ctx)
	}

	p := newLiveProject(t)
	p.write("schema/t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n")
	url := func(ca string) string {
		return fmt.Sprintf("postgres://postgres:tls-secret-pw@localhost:%d/app?sslmode=verify-full&sslrootcert=%s", port, filepath.Join(dir, ca))
	}
	for _, cmd := range [][]string{{"drift", "--strict"}, {"verify", "--strict"}, {"plan"}, {"inspect", "--summary"}} {
		r := pgflux(t, append(cmd, "--db", url("ca.crt"), "--shadow-dsn", pgtest.ServerDSN(t))...)
		if r.code != 0 {
			t.Errorf("%s over verify-full TLS: exit %d\n%s", cmd[0], r.code, r)
		}
	}
	// The server really spoke TLS.
	conn, err := pgx.Connect(ctx, url("ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	var ssl bool
	if err := conn.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || !ssl {
		t.Errorf("connection not encrypted: ssl=%v err=%v", ssl, err)
	}
	conn.Close(ctx)

	r := pgflux(t, "drift", "--db", url("other.crt"), "--shadow-dsn", pgtest.ServerDSN(t))
	if r.code != 2 {
		t.Fatalf("drift with the wrong CA: exit %d, want 2\n%s", r.code, r)
	}
	t.Logf("wrong CA:\n%s", r.stderr)
	if !strings.Contains(r.stderr, "x509: certificate signed by unknown authority") || !strings.Contains(r.stderr, "sslrootcert") ||
		strings.Contains(r.stderr+r.stdout, "tls-secret-pw") {
		t.Errorf("wrong CA: want a message about the certificate and no password:\n%s", r)
	}
}
