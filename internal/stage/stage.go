// Package stage times a gateway request's path, stage by stage, for a
// binary built with the llmuxstages tag; in every other build Mark is an
// empty function (inlined away, or a bare return where the compiler does
// not inline).
//
// The request path calls Mark at each point below. A request's pre-upstream
// track runs from Enter to Send (the HTTP client's Do), its post-upstream
// track from Received (Do returned) to Written (the answer handed to the
// server). Report prints, for each point a track reached, the median and
// 90th percentile time since the track's start, and what the step from the
// point before added.
//
// The points are process-wide, not per request: a request that starts
// while another is on its track spoils both, and neither is counted (a
// request that ended before its track's last point, such as an error
// answer, is dropped when the next one starts 100 ms or more later). So the
// figures are for low, open-loop rates (tens of requests per second), where
// a request's path is cold and a gateway's latency is furthest from its
// in-process benchmark. bench/gateway serves Report at /debug/stages, and
// can serve gatewaybench's ref-json hop in the same process, marked at the
// points it shares, for a side-by-side reading:
//
//	go build -tags llmuxstages -o /tmp/llmux-stages ./bench/gateway
//	LLMUX_BENCH_PPROF=127.0.0.1:6060 LLMUX_BENCH_REF=127.0.0.1:18090 /tmp/llmux-stages --config bench/gateway/config.yaml
//
// then load each hop at 50 rps in turn and read /debug/stages after each
// (reading resets it).
package stage

import "time"

// abandoned is how long a track may stay open: a request that ended before
// its track's last point (an error answer) leaves it open, and the next
// request after this long starts a new one.
const abandoned = 100 * time.Millisecond

// Point is a place on the request path.
type Point uint8

// The points, in path order. Enter..Send are the pre-upstream track,
// Received..Written the post-upstream one.
const (
	Enter           Point = iota // the handler began (after routing)
	Admitted                     // request id, auth and method checked
	BodyRead                     // the request body was read
	Decoded                      // the body was decoded
	Prepared                     // metadata, credentials and hook state set
	CallBegun                    // the SDK call began (loggers collected, ids)
	ChainDone                    // middleware and the router passed the call on
	Resolved                     // validated, the provider resolved
	Checked                      // parameters checked, the event's snapshot taken
	CacheReady                   // the cache looked up (nothing cached)
	AttemptBegun                 // an attempt reached the provider
	Encoded                      // the provider's body was encoded
	PreEvent                     // the pre-API-call event went out
	Send                         // the HTTP client's Do is called
	Received                     // Do returned: the response headers came
	ResponseRead                 // the response body was read
	ResponseDecoded              // the response was decoded
	AttemptDone                  // the attempt returned to the call
	PostEvent                    // the post-API-call event went out
	Answered                     // the call returned its answer to the handler
	AnswerEncoded                // the answer was encoded
	Written                      // the answer was handed to the server
	numPoints
)

var names = [numPoints]string{
	"enter", "admitted", "body read", "decoded", "prepared", "call begun", "chain done", "resolved", "checked",
	"cache ready", "attempt begun", "encoded", "pre event", "send",
	"received", "response read", "response decoded", "attempt done", "post event", "answered", "answer encoded", "written",
}

func (p Point) String() string {
	if p < numPoints {
		return names[p]
	}
	return "?"
}
