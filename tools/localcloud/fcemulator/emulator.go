package fcemulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrClosed is returned by the methods of an Emulator that has been closed,
// and by an invocation that Close interrupted.
var ErrClosed = errors.New("fcemulator: emulator closed")

// Emulator runs one function: one instance (child process) at a time, which
// serves one invocation at a time, fed by Invoke and by the asynchronous
// queue. All methods are safe for concurrent use.
type Emulator struct {
	cfg  Config
	logf func(string, ...any)

	// slot is held by whoever hands work to the instance or replaces it:
	// the go1 runtime serves one invocation at a time per instance.
	slot      chan struct{}
	closing   chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	cur       *instance
	instances []*instance

	// Asynchronous queue.
	queue      []*asyncEvent
	wake       chan struct{} // buffered 1: the queue got an event
	busy       int           // events queued or being delivered
	idle       chan struct{} // closed while busy == 0
	workerDone chan struct{}
}

// Start applies the defaults to cfg, launches the first instance of the
// function and starts the asynchronous worker. It does not wait for the
// instance to be ready: see WaitReady. It fails if the binary cannot be
// started at all; a binary that starts and then exits is reported by the
// first invocation (or WaitReady). Call Close when done.
func Start(cfg Config) (*Emulator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		cfg:        cfg,
		logf:       cfg.Logf,
		slot:       make(chan struct{}, 1),
		closing:    make(chan struct{}),
		wake:       make(chan struct{}, 1),
		idle:       make(chan struct{}),
		workerDone: make(chan struct{}),
	}
	if e.logf == nil {
		e.logf = func(string, ...any) {}
	}
	close(e.idle)
	if _, err := e.ensureInstance(); err != nil {
		return nil, err
	}
	go e.worker()
	return e, nil
}

// Close stops the emulator: queued asynchronous events are dropped (they do
// not reach OnFailure), an invocation in progress returns ErrClosed, the
// current instance gets SIGTERM and, after Config.StopGracePeriod, SIGKILL,
// and every runtime API server is shut down. When Close returns, no child
// process and no goroutine of the emulator is left. It waits for a running
// OnResult or OnFailure callback to return. Calling it again does nothing.
// It always returns nil; the error is there to satisfy io.Closer.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		close(e.closing)
		<-e.workerDone
		// Wait for an invocation in progress to notice closing and give the
		// slot back; the slot is never released again.
		e.slot <- struct{}{}
		e.mu.Lock()
		cur := e.cur
		all := append([]*instance(nil), e.instances...)
		e.mu.Unlock()
		if cur != nil {
			cur.terminate(e.cfg.StopGracePeriod)
		}
		for _, in := range all {
			<-in.gone
		}
	})
	return nil
}

// WaitReady waits until the current instance has made its first poll, and
// returns its description (InstanceInfo.ColdStart is then set). If no
// instance is running (the last one exited or was killed), it starts one. It
// fails if the instance exits before polling, or does not poll within
// Config.StartTimeout (it is then killed), or when ctx ends.
func (e *Emulator) WaitReady(ctx context.Context) (InstanceInfo, error) {
	if err := e.acquire(ctx); err != nil {
		return InstanceInfo{}, err
	}
	in, err := e.ensureInstance()
	e.release()
	if err != nil {
		return InstanceInfo{}, err
	}
	t := time.NewTimer(time.Until(in.started.Add(e.cfg.StartTimeout)))
	defer t.Stop()
	select {
	case <-in.ready:
		return in.info(), nil
	case <-t.C:
		e.logf("fcemulator: instance %s (pid %d) did not poll within %s; killing it", in.id, in.pid, e.cfg.StartTimeout)
		in.kill()
		return in.info(), fmt.Errorf("fcemulator: instance %s was not ready within %s", in.id, e.cfg.StartTimeout)
	case <-in.exited:
		if in.polled() {
			return in.info(), nil
		}
		return in.info(), fmt.Errorf("fcemulator: instance %s exited before it was ready (%s); see the function's output", in.id, in.exitStatus())
	case <-ctx.Done():
		return in.info(), ctx.Err()
	case <-e.closing:
		return in.info(), ErrClosed
	}
}

// Instance describes the current instance: the running one, or the last one
// to have run if it has exited or was killed. ok is false only if none was
// ever started.
func (e *Emulator) Instance() (info InstanceInfo, ok bool) {
	e.mu.Lock()
	cur := e.cur
	e.mu.Unlock()
	if cur == nil {
		return InstanceInfo{}, false
	}
	return cur.info(), true
}

// Instances describes every instance started so far, oldest first.
func (e *Emulator) Instances() []InstanceInfo {
	e.mu.Lock()
	all := append([]*instance(nil), e.instances...)
	e.mu.Unlock()
	infos := make([]InstanceInfo, len(all))
	for i, in := range all {
		infos[i] = in.info()
	}
	return infos
}

// acquire takes the instance slot.
func (e *Emulator) acquire(ctx context.Context) error {
	select {
	case <-e.closing:
		return ErrClosed
	default:
	}
	select {
	case e.slot <- struct{}{}:
		select {
		case <-e.closing:
			<-e.slot // let Close have it
			return ErrClosed
		default:
			return nil
		}
	case <-ctx.Done():
		return ctx.Err()
	case <-e.closing:
		return ErrClosed
	}
}

func (e *Emulator) release() { <-e.slot }

// ensureInstance returns the running instance, launching a new one if there
// is none. The caller holds the slot (or is Start).
func (e *Emulator) ensureInstance() (*instance, error) {
	e.mu.Lock()
	cur := e.cur
	e.mu.Unlock()
	if cur != nil {
		if !cur.hasExited() {
			return cur, nil
		}
		// Its output is drained and its server closed before the next one
		// starts, so the writers never see two instances at once.
		<-cur.gone
	}
	in, err := launch(&e.cfg, e.logf)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cur = in
	e.instances = append(e.instances, in)
	e.mu.Unlock()
	return in, nil
}
