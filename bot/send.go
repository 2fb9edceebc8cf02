package bot

import (
	"fmt"
	"time"
)

// Target is where a message goes: a channel, or a user's direct messages
// when Channel is empty.
type Target struct {
	Platform string `json:"platform"` // "slack", "discord" or "console"
	Channel  string `json:"channel,omitempty"`
	User     string `json:"user,omitempty"`
}

func (t Target) String() string {
	if t.Channel != "" {
		return t.Platform + ":#" + t.Channel
	}
	return t.Platform + ":@" + t.User
}

// SendError is why a delivery failed, in the terms the outbox decides
// by: retry later, retry after a wait, give up, or find out first whether
// it was posted after all.
type SendError struct {
	// Permanent failures (channel gone, bot not in the channel, DMs
	// closed) will fail again: stop and report Reason.
	Permanent bool
	// RetryAfter is how long the platform asked us to wait (a 429).
	RetryAfter time.Duration
	// Unknown means the request may have reached the platform (a timeout
	// after sending): a blind retry could post twice.
	Unknown bool
	// Reason is the platform's word for it ("channel_not_found", "50007").
	Reason string
	// Method is the platform API call that failed ("chat.postMessage",
	// "create_message"), for metrics by method.
	Method string
	Err    error
}

func (e *SendError) Error() string {
	switch {
	case e.Permanent:
		return fmt.Sprintf("permanent failure (%s): %v", e.Reason, e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("rate limited, retry after %s: %v", e.RetryAfter, e.Err)
	case e.Unknown:
		return fmt.Sprintf("outcome unknown (%s): %v", e.Reason, e.Err)
	}
	return fmt.Sprintf("temporary failure (%s): %v", e.Reason, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }
