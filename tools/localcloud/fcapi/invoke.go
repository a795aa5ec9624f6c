package fcapi

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
)

// Payload limits of "What do I do if the EntityTooLarge: payload size
// exceeds maximum allowed size error message is reported?".
const (
	MaxSyncPayload  = 32 << 20
	MaxAsyncPayload = 128 << 10
)

// Headers of InvokeFunction ("InvokeFunction", FC 3.0 API reference).
const (
	HeaderInvocationType = "x-fc-invocation-type"
	HeaderAsyncTaskID    = "x-fc-async-task-id"
	HeaderLogType        = "x-fc-log-type"
	HeaderRequestID      = "x-fc-request-id"
	HeaderErrorType      = "x-fc-error-type"
)

// The x-fc-invocation-type values.
const (
	Sync  = "Sync"
	Async = "Async"
)

// ErrorTypeUnhandled is x-fc-error-type for a function that failed ("Error
// handling").
const ErrorTypeUnhandled = "UnhandledInvocationError"

// taskIDPattern is the task id rule of "InvokeFunction": a letter or an
// underscore, then letters, digits, underscores and hyphens, 128 at most.
var taskIDPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,127}$`)

// ValidTaskID reports whether id is an acceptable x-fc-async-task-id.
func ValidTaskID(id string) bool { return taskIDPattern.MatchString(id) }

// answer is a successful response, written after the request is logged.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// ServeHTTP answers one request; every request is logged, whatever its
// outcome, before its answer leaves, so that a client that has the answer
// finds the request in Requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: rawPath(r), RequestID: uuid.NewString(), Time: s.now()}
	w.Header().Set(HeaderRequestID, rec.RequestID)
	if !s.enter() {
		writeError(w, rec.RequestID, errorf(http.StatusServiceUnavailable, CodeInternalServerError, "the local FC API is shutting down"))
		return
	}
	defer s.handlers.Done()

	ans, err := s.serve(r, &rec)
	if err != nil {
		rec.Status, rec.ErrorCode = err.status, err.code
		s.record(rec)
		writeError(w, rec.RequestID, err)
		return
	}
	rec.Status = ans.status
	s.record(rec)
	for k, v := range ans.header {
		w.Header()[k] = v
	}
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

// serve runs the steps in order: body size, signature, path, function,
// qualifier, headers, then the invocation.
func (s *Server) serve(r *http.Request, rec *Request) (answer, *apiError) {
	body, rerr := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
	if rerr != nil {
		return answer{}, invalidArgument("the request body could not be read")
	}
	if len(body) > MaxSyncPayload {
		return answer{}, tooLarge(MaxSyncPayload)
	}
	var aerr *apiError
	if rec.AccessKeyID, aerr = s.authenticate(r, body); aerr != nil {
		return answer{}, aerr
	}

	name, ok := functionName(rec.Path)
	if r.Method != http.MethodPost || !ok {
		return answer{}, errorf(http.StatusBadRequest, CodePathNotSupported, "'%s' against '%s' is not supported", r.Method, rec.Path)
	}
	rec.Function = name
	fn, ok := s.function(name)
	if !ok {
		return answer{}, errorf(http.StatusNotFound, CodeFunctionNotFound, "function '%s' does not exist.", name)
	}
	rec.Qualifier = r.URL.Query().Get("qualifier")
	if q := rec.Qualifier; q != "" && q != fcemulator.DefaultQualifier {
		// Only LATEST exists locally: no version was published, no alias made.
		if strings.Trim(q, "0123456789") == "" {
			return answer{}, errorf(http.StatusNotFound, CodeVersionNotFound, "version '%s' of function '%s' does not exist", q, name)
		}
		return answer{}, errorf(http.StatusNotFound, CodeAliasNotFound, "alias '%s' of function '%s' does not exist", q, name)
	}

	rec.Type = r.Header.Get(HeaderInvocationType)
	switch rec.Type {
	case "":
		rec.Type = Sync
	case Sync, Async:
	default:
		return answer{}, invalidArgument("%s must be %s or %s, not %q", HeaderInvocationType, Sync, Async, rec.Type)
	}
	switch lt := r.Header.Get(HeaderLogType); lt {
	case "", "None", "Tail":
	default:
		return answer{}, invalidArgument("%s must be None or Tail, not %q", HeaderLogType, lt)
	}
	taskID, hasTask := r.Header.Get(HeaderAsyncTaskID), len(r.Header.Values(HeaderAsyncTaskID)) > 0
	rec.TaskID = taskID
	if hasTask && rec.Type != Async {
		return answer{}, invalidArgument("%s is for asynchronous invocations (%s: %s) only", HeaderAsyncTaskID, HeaderInvocationType, Async)
	}

	if rec.Type == Sync {
		return s.invokeSync(r, fn, body, rec)
	}
	if len(body) > MaxAsyncPayload {
		return answer{}, tooLarge(MaxAsyncPayload)
	}
	if hasTask {
		if !fn.AsyncTask {
			return answer{}, invalidArgument("function '%s' does not have the asynchronous task feature on, which %s needs "+
				"(fc3: asyncInvokeConfig.asyncTask: true)", name, HeaderAsyncTaskID)
		}
		if !ValidTaskID(taskID) {
			return answer{}, invalidArgument("%s %q must start with a letter or an underscore and hold only letters, digits, "+
				"underscores and hyphens, 128 characters at most", HeaderAsyncTaskID, taskID)
		}
	}
	return s.invokeAsync(fn, body, rec)
}

// functionName reads {functionName} of /2023-03-30/functions/{functionName}/invocations.
func functionName(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/"+APIVersion+"/functions/")
	if !ok {
		return "", false
	}
	seg, ok := strings.CutSuffix(rest, "/invocations")
	if !ok || seg == "" || strings.Contains(seg, "/") {
		return "", false
	}
	name, err := url.PathUnescape(seg)
	return name, err == nil
}

func tooLarge(limit int) *apiError {
	return errorf(http.StatusBadRequest, CodeEntityTooLarge, "payload size exceeds maximum allowed size (%d bytes)", limit)
}

func (s *Server) invokeSync(r *http.Request, fn Function, body []byte, rec *Request) (answer, *apiError) {
	res, err := fn.Invoker.Invoke(r.Context(), body, fcemulator.InvokeOptions{RequestID: rec.RequestID})
	switch {
	case err != nil && r.Context().Err() != nil:
		// The client left, or Close: FC's code for a client that hung up.
		return answer{}, errorf(499, CodeClientClosedRequest, "client Closed Request")
	case err != nil:
		return answer{}, errorf(http.StatusInternalServerError, CodeInternalServerError, "an internal error has occurred. Please retry.")
	}
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	if res.Error != nil {
		h.Set(HeaderErrorType, ErrorTypeUnhandled)
	}
	return answer{status: http.StatusOK, header: h, body: res.Payload}, nil
}

func (s *Server) invokeAsync(fn Function, body []byte, rec *Request) (answer, *apiError) {
	h := http.Header{}
	task := ""
	if fn.AsyncTask {
		// With tasks on, an invocation without a task id becomes the task
		// named by its request id ("Task deduplication").
		task = rec.TaskID
		if task == "" {
			task = rec.RequestID
		}
		if !s.reserveTask(Task{ID: task, Function: fn.Name, FunctionArn: s.functionArn(fn.Name), RequestID: rec.RequestID, Time: rec.Time}) {
			return answer{}, errorf(http.StatusConflict, CodeTaskAlreadyExists, "async task '%s' of function '%s' already exists", task, fn.Name)
		}
		h.Set(HeaderAsyncTaskID, task)
		rec.TaskID = task
	}
	if _, err := fn.Invoker.InvokeAsync(body, fcemulator.AsyncOptions{RequestID: rec.RequestID}); err != nil {
		if task != "" {
			s.releaseTask(task)
		}
		return answer{}, errorf(http.StatusInternalServerError, CodeInternalServerError, "an internal error has occurred. Please retry.")
	}
	return answer{status: http.StatusAccepted, header: h}, nil
}
