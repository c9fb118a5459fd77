package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// Tasks counts one container's processes as the host sees them.
type Tasks struct {
	Total   int
	ByState map[byte]int
	ByName  map[string]int
	// Scanned is how many status files were read; NoEnvID how many lacked
	// OpenVZ's envID (a non-OpenVZ kernel has it nowhere).
	Scanned, NoEnvID int
}

// ScanTasks reads proc/<pid>/status of every process and counts those
// whose envID is envID. It stops when ctx ends; a read that blocks is left
// to the caller's timeout, which names the file through t.
func (n Node) ScanTasks(ctx context.Context, t Tracer, envID string) (*Tasks, error) {
	t.Stage("listing %s", n.Path("proc"))
	dir, err := os.Open(n.Path("proc"))
	if err != nil {
		return nil, n.fileError("proc", err)
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, n.fileError("proc", err)
	}
	pids := make([]int, 0, len(names))
	for _, name := range names {
		if pid, err := strconv.Atoi(name); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	var scanned atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	current := make([]atomic.Int64, workers) // the pid each worker reads
	t.StageFunc(func() string {
		for i := range current {
			if pid := current[i].Load(); pid > 0 {
				return fmt.Sprintf("reading %s (%d of %d task status files scanned)", n.Path("proc/"+strconv.FormatInt(pid, 10)+"/status"), scanned.Load(), len(pids))
			}
		}
		return fmt.Sprintf("scanning %d task status files under %s", len(pids), n.Path("proc"))
	})
	parts := make([]*Tasks, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			parts[w] = n.scanPids(ctx, pids[w*len(pids)/workers:(w+1)*len(pids)/workers], envID, &current[w], &scanned)
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	total := &Tasks{ByState: map[byte]int{}, ByName: map[string]int{}}
	for _, p := range parts {
		total.Total += p.Total
		total.Scanned += p.Scanned
		total.NoEnvID += p.NoEnvID
		for k, v := range p.ByState {
			total.ByState[k] += v
		}
		for k, v := range p.ByName {
			total.ByName[k] += v
		}
	}
	return total, nil
}

// statusReadSize holds a whole status file (about 1 KiB); envID is in the
// first 400 bytes, so a longer file is still read far enough.
const statusReadSize = 4096

func (n Node) scanPids(ctx context.Context, pids []int, envID string, current, scanned *atomic.Int64) *Tasks {
	tk := &Tasks{ByState: map[byte]int{}, ByName: map[string]int{}}
	// Files are opened relative to the proc directory: the kernel walks
	// two path parts per file instead of the whole path.
	dirfd, err := syscall.Open(n.Path("proc"), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return tk
	}
	defer syscall.Close(dirfd)
	buf := make([]byte, statusReadSize)
	name := make([]byte, 0, 32)
	want := []byte(envID)
	for i, pid := range pids {
		if i%256 == 0 && ctx.Err() != nil {
			break
		}
		current.Store(int64(pid))
		name = append(strconv.AppendInt(name[:0], int64(pid), 10), "/status"...)
		k, err := readStatusAt(dirfd, string(name), buf)
		current.Store(0)
		if err != nil {
			continue // the process exited meanwhile, or is not readable
		}
		scanned.Add(1)
		tk.Scanned++
		st, ok := vzproc.ParseStatus(buf[:k])
		if !ok {
			tk.NoEnvID++
			continue
		}
		if !bytes.Equal(st.EnvID, want) {
			continue
		}
		tk.Total++
		tk.ByState[st.State]++
		tk.ByName[string(st.Name)]++
	}
	return tk
}

// readStatusAt reads a status file below dirfd into buf, whole: procfs
// returns it in one read, a regular file (tests) may need several.
func readStatusAt(dirfd int, name string, buf []byte) (int, error) {
	fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	total := 0
	for total < len(buf) {
		k, err := syscall.Read(fd, buf[total:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if k == 0 {
			break
		}
		total += k
	}
	return total, nil
}

// VEInfo reads proc/vz/veinfo: the running environments.
func (n Node) VEInfo(t Tracer) (map[string]vzproc.VEInfo, error) {
	return readParsed(n, t, "proc/vz/veinfo", vzproc.ParseVEInfo)
}

// VZQuota reads proc/vz/vzquota.
func (n Node) VZQuota(t Tracer) (map[string]vzproc.Quota, error) {
	return readParsed(n, t, "proc/vz/vzquota", vzproc.ParseVZQuota)
}

// HostCPUs counts the cpuN lines of proc/stat; 0 when unreadable.
func (n Node) HostCPUs(t Tracer) int {
	f, err := n.open(t, "proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	cpus := 0
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if len(line) > 3 && bytes.HasPrefix(line, []byte("cpu")) && line[3] >= '0' && line[3] <= '9' {
			cpus++
		}
	}
	return cpus
}

// IsNotExist reports whether err means a file is missing.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
