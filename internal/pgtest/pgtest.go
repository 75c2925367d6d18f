// Package pgtest runs a throwaway PostgreSQL for tests: Debian's
// postgresql package, a cluster made with initdb in a temporary folder as
// an unprivileged user (postgres when the tests run as root), listening on
// loopback only, stopped by Stop (a package's TestMain calls it).
//
//	func TestMain(m *testing.M) { code := m.Run(); pgtest.Stop(); os.Exit(code) }
//	url := pgtest.Database(t) // a fresh database of the shared cluster
package pgtest

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver the emulator uses
)

var (
	once    sync.Once
	cluster *server
	started error
	dbs     atomic.Int64
)

// server is a running cluster.
type server struct {
	dir, data, url string
	cred           *syscall.Credential
	bin            string
}

// Database returns the URL of a new, empty database of the shared cluster.
// Without PostgreSQL's binaries the test is skipped, except in CI
// (CI=true), where it fails: .ci/run installs them.
func Database(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { cluster, started = start() })
	if started != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: %v", started)
		}
		tb.Skipf("pgtest: %v (install Debian's postgresql package)", started)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbs.Add(1))
	admin, err := sql.Open("pgx", cluster.url+"/postgres?sslmode=disable")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	return cluster.url + "/" + name + "?sslmode=disable"
}

// Stop stops the shared cluster, if one was started, and removes its
// folder.
func Stop() {
	if cluster == nil {
		return
	}
	_ = cluster.pgctl("stop", "-m", "immediate", "-w")
	_ = os.RemoveAll(cluster.dir)
	cluster = nil
}

// ownerFile names, in a cluster's folder, the pid of the test process that
// started it.
const ownerFile = "owner.pid"

// start makes and starts a cluster on a free loopback port, after
// stopping the clusters of test processes that died without Stop (a panic
// or a timeout skips TestMain's end).
func start() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	stopOrphans(bin)
	dir, err := os.MkdirTemp("", "alma-pg-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	s := &server{dir: dir, data: filepath.Join(dir, "data"), bin: bin}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := s.run("initdb", "-D", s.data, "-U", "alma", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := s.pgctl("start", "-w", "-t", "60", "-o", opts, "-l", filepath.Join(dir, "log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start: %v: %s", err, log)
	}
	s.url = fmt.Sprintf("postgres://alma@127.0.0.1:%d", port)
	return s, nil
}

// stopOrphans stops and removes the clusters whose test process is gone.
func stopOrphans(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "alma-pg-*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or still being made
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue // its test process still runs
		}
		orphan := &server{dir: dir, data: filepath.Join(dir, "data"), bin: bin}
		if info, err := os.Stat(dir); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 && st.Uid != 0 {
				orphan.cred = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
			}
		}
		_ = orphan.pgctl("stop", "-m", "immediate", "-w")
		_ = os.RemoveAll(dir)
	}
}

// pgctl runs pg_ctl on the cluster.
func (s *server) pgctl(args ...string) error {
	out, err := s.run("pg_ctl", append([]string{"-D", s.data}, args...)...)
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// run runs one of PostgreSQL's binaries as the cluster's user.
func (s *server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
		return out, err
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return out, errors.New(name + " took over 2 minutes")
	}
}

// binDir finds PostgreSQL's binaries: initdb on PATH, else Debian's
// /usr/lib/postgresql/<version>/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("no initdb on PATH or in /usr/lib/postgresql/*/bin")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// freePort is a loopback port free now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	_, port, _ := strings.Cut(ln.Addr().String(), ":")
	return strconv.Atoi(port)
}
