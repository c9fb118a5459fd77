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

// Tasks counts one container's tasks as the host sees them: threads by
// state, as the kernel's load average counts them, and processes (thread
// groups) by command name.
type Tasks struct {
	Threads int
	ByState map[byte]int // threads by state letter
	// Processes are the thread groups; ByName counts them by command name
	// (comm: at most vzproc.CommLen bytes).
	Processes int
	ByName    map[string]int
	// Scanned is how many status files were read; NoEnvID how many lacked
	// OpenVZ's envID (a non-OpenVZ kernel has it nowhere).
	Scanned, NoEnvID int
}

func newTasks() *Tasks { return &Tasks{ByState: map[byte]int{}, ByName: map[string]int{}} }

// add adds the counts of o.
func (tk *Tasks) add(o *Tasks) {
	tk.Threads += o.Threads
	tk.Processes += o.Processes
	tk.Scanned += o.Scanned
	tk.NoEnvID += o.NoEnvID
	for k, v := range o.ByState {
		tk.ByState[k] += v
	}
	for k, v := range o.ByName {
		tk.ByName[k] += v
	}
}

// ScanTasks reads proc/<pid>/status of every process (thread-group leader:
// /proc lists no other threads) and, for those of more than one thread
// whose envID is one of envIDs, the state of each thread in
// proc/<pid>/task/<tid>/stat. Threads share their leader's container, so
// only the leader's status is read for envID. It stops when ctx ends; a
// read that blocks is left to the caller's timeout, which names the file
// through t.
func (n Node) ScanTasks(ctx context.Context, t Tracer, envIDs []string) (*Tasks, error) {
	pids, err := n.listPids(t)
	if err != nil {
		return nil, err
	}
	return n.tasksOf(ctx, t, pids, envIDs)
}

// TasksOf counts the given processes (a container's cgroup.procs) as
// ScanTasks counts a container's: the cgroup says whose they are, so
// their envID is not compared (a kernel printing a legacy number there
// needs no --envid).
func (n Node) TasksOf(ctx context.Context, t Tracer, pids []int) (*Tasks, error) {
	return n.tasksOf(ctx, t, pids, nil)
}

func (n Node) tasksOf(ctx context.Context, t Tracer, pids []int, envIDs []string) (*Tasks, error) {
	parts, err := n.scan(ctx, t, pids, func() *buckets { return &buckets{only: envIDs, one: newTasks()} })
	if err != nil {
		return nil, err
	}
	total := newTasks()
	for _, p := range parts {
		total.add(p.one)
		total.Scanned += p.scanned
		total.NoEnvID += p.noEnvID
	}
	return total, nil
}

// AllTasks are every process's tasks grouped by the envID they carry.
type AllTasks struct {
	ByEnvID          map[string]*Tasks
	Scanned, NoEnvID int // as in Tasks
}

// ScanAllTasks is ScanTasks for every container at once: one pass over
// /proc, grouped by envID.
func (n Node) ScanAllTasks(ctx context.Context, t Tracer) (*AllTasks, error) {
	pids, err := n.listPids(t)
	if err != nil {
		return nil, err
	}
	parts, err := n.scan(ctx, t, pids, func() *buckets { return &buckets{by: map[string]*Tasks{}} })
	if err != nil {
		return nil, err
	}
	all := &AllTasks{ByEnvID: map[string]*Tasks{}}
	for _, p := range parts {
		all.Scanned += p.scanned
		all.NoEnvID += p.noEnvID
		for env, tk := range p.by {
			if all.ByEnvID[env] == nil {
				all.ByEnvID[env] = newTasks()
			}
			all.ByEnvID[env].add(tk)
		}
	}
	return all, nil
}

// buckets sort one worker's processes by envID: into one Tasks for the
// envIDs asked for, or into one per envID.
type buckets struct {
	only             []string // the envIDs counted in one (nil: any)
	one              *Tasks   // unless by is set
	by               map[string]*Tasks
	scanned, noEnvID int
}

// anyEnvID reports whether every process counts, whatever its envID (a
// cgroup's list: the kernel already said whose they are).
func (b *buckets) anyEnvID() bool { return b.by == nil && b.only == nil }

// of returns the Tasks an envID counts in; nil: not counted.
func (b *buckets) of(env []byte) *Tasks {
	if b.by == nil {
		if b.only == nil || matchEnvID(env, b.only) {
			return b.one
		}
		return nil
	}
	tk := b.by[string(env)]
	if tk == nil {
		tk = newTasks()
		b.by[string(env)] = tk
	}
	return tk
}

// listPids lists the processes under proc.
func (n Node) listPids(t Tracer) ([]int, error) {
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
		if pid, err := strconv.Atoi(name); err == nil && pid > 0 && pid <= maxPid {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// scan reads pids with one worker per CPU, each sorting into its own
// buckets.
func (n Node) scan(ctx context.Context, t Tracer, pids []int, newBuckets func() *buckets) ([]*buckets, error) {
	var scanned atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	current := make([]atomic.Int64, workers) // the file each worker reads: pid<<32 | tid
	t.StageFunc(func() string {
		for i := range current {
			if v := current[i].Load(); v > 0 {
				return fmt.Sprintf("reading %s (%d of %d processes scanned)", n.Path(taskFile(v>>32, v&(1<<32-1))), scanned.Load(), len(pids))
			}
		}
		return fmt.Sprintf("scanning %d processes under %s", len(pids), n.Path("proc"))
	})
	parts := make([]*buckets, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		parts[w] = newBuckets()
		go func(w int) {
			defer wg.Done()
			n.scanPids(ctx, pids[w*len(pids)/workers:(w+1)*len(pids)/workers], parts[w], &current[w], &scanned)
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return parts, nil
}

// maxPid is the kernel's PID_MAX_LIMIT (4M): a pid and a tid fit in one
// int64 for the tracer.
const maxPid = 1 << 22

// taskFile names the file the scan reads: the leader's status (tid 0) or
// one thread's stat.
func taskFile(pid, tid int64) string {
	if tid == 0 {
		return "proc/" + strconv.FormatInt(pid, 10) + "/status"
	}
	return "proc/" + strconv.FormatInt(pid, 10) + "/task/" + strconv.FormatInt(tid, 10) + "/stat"
}

// statusReadSize holds a whole status file (about 1 KiB; a stat file is
// shorter); envID is in the first 400 bytes, so a longer file is still read
// far enough.
const statusReadSize = 4096

// scanner is one worker's state: the proc directory fd and its buffers.
type scanner struct {
	dirfd   int
	buf     []byte // one file
	dirents []byte // a task directory's entries
	name    []byte
	tids    []string
	current *atomic.Int64
}

func (n Node) scanPids(ctx context.Context, pids []int, b *buckets, current, scanned *atomic.Int64) {
	// Files are opened relative to the proc directory: the kernel walks
	// two path parts per file instead of the whole path.
	dirfd, err := syscall.Open(n.Path("proc"), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer syscall.Close(dirfd)
	s := &scanner{dirfd: dirfd, buf: make([]byte, statusReadSize), dirents: make([]byte, 8192), name: make([]byte, 0, 48), current: current}
	for i, pid := range pids {
		if i%256 == 0 && ctx.Err() != nil {
			break
		}
		current.Store(int64(pid) << 32)
		s.name = append(strconv.AppendInt(s.name[:0], int64(pid), 10), "/status"...)
		k, err := readFileAt(dirfd, string(s.name), s.buf)
		current.Store(0)
		if err != nil {
			continue // the process exited meanwhile, or is not readable
		}
		scanned.Add(1)
		b.scanned++
		st, ok := vzproc.ParseStatus(s.buf[:k])
		if !ok {
			b.noEnvID++
			if !b.anyEnvID() || st.State == 0 {
				continue
			}
		}
		tk := b.of(st.EnvID)
		if tk == nil {
			continue
		}
		tk.Processes++
		tk.ByName[string(st.Name)]++
		// A single thread's state is its status's: most processes need
		// no task directory. Without one (the process exited meanwhile)
		// the status is the last word on its one known thread.
		if n, ok := vzproc.StatusThreads(s.buf[:k]); ok && n == 1 || !s.threads(ctx, pid, tk) {
			tk.Threads++
			tk.ByState[st.State]++
		}
	}
}

func matchEnvID(env []byte, envIDs []string) bool {
	for _, id := range envIDs {
		if string(env) == id {
			return true
		}
	}
	return false
}

// threads counts the threads of pid by the state in each
// proc/<pid>/task/<tid>/stat; false when the task directory cannot be
// read.
func (s *scanner) threads(ctx context.Context, pid int, tk *Tasks) bool {
	s.name = append(strconv.AppendInt(s.name[:0], int64(pid), 10), "/task"...)
	fd, err := syscall.Openat(s.dirfd, string(s.name), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	s.tids = s.tids[:0]
	for {
		k, err := syscall.ReadDirent(fd, s.dirents)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if k == 0 {
			break
		}
		_, _, s.tids = syscall.ParseDirent(s.dirents[:k], -1, s.tids)
	}
	for i, name := range s.tids {
		tid, err := strconv.Atoi(name)
		if err != nil || tid <= 0 || tid > maxPid {
			continue
		}
		if i%256 == 255 && ctx.Err() != nil {
			break
		}
		s.current.Store(int64(pid)<<32 | int64(tid))
		k, err := readFileAt(fd, name+"/stat", s.buf)
		s.current.Store(0)
		if err != nil {
			continue // the thread exited meanwhile
		}
		if state, ok := vzproc.ParseStatState(s.buf[:k]); ok {
			tk.Threads++
			tk.ByState[state]++
		}
	}
	return true
}

// readFileAt reads a file below dirfd into buf, whole. procfs returns a
// status or stat file in one read, so a short read that ends a line is the
// end (sparing a read per file); anything else is read on to EOF.
func readFileAt(dirfd int, name string, buf []byte) (int, error) {
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
		if total < len(buf) && buf[total-1] == '\n' {
			break
		}
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
