package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
)

// metadataEvent is the event_type of the metadata on every scheduled
// post; its payload holds the outbox key.
const metadataEvent = "partnerbot_post"

// permanent lists Slack's error strings that will not go away by
// retrying: the channel, the user or the app's rights must change first.
var permanent = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true,
	"user_not_found": true, "cannot_dm_bot": true, "account_inactive": true,
	"invalid_auth": true, "not_authed": true, "missing_scope": true,
	"restricted_action": true, "msg_too_long": true, "no_text": true,
	"token_revoked": true, "token_expired": true, "no_permission": true,
	"access_denied": true, "team_access_not_granted": true, "ekm_access_denied": true,
	"invalid_blocks": true, "invalid_blocks_format": true, "invalid_arguments": true,
	"invalid_metadata_format": true, "invalid_metadata_schema": true, "metadata_too_large": true,
	"messages_tab_disabled": true, "user_disabled": true, "user_is_bot": true,
}

// maybeDone lists Slack's error strings after which, by its docs, "some
// aspect of the operation" may have succeeded.
var maybeDone = map[string]bool{"fatal_error": true, "internal_error": true}

// Send posts a scheduled message: to Target.Channel, or to the DM of
// Target.User when there is no channel. The message carries metadata
// (event_type "partnerbot_post", payload {"key": key}) so Posted can find
// it; an Image is uploaded to the same channel after the post (a failed
// upload is logged, not returned: the post exists and must not be
// repeated). Returns the message ts.
//
// Errors are *bot.SendError: Permanent with Slack's reason (channel gone,
// bot not in it, DMs impossible, bad token or scope, message refused),
// RetryAfter for a 429, Unknown when the request was written but no
// clear answer came back (5xx, timeout, broken connection: the post may
// exist, ask Posted), and plain temporary when nothing was sent.
func (a *Adapter) Send(ctx context.Context, t bot.Target, m *bot.Message, key string) (string, error) {
	return a.post(ctx, t, m, key, "")
}

// SendReply posts like Send, as a reply in the thread of the message
// with ts parent in the same channel or DM.
func (a *Adapter) SendReply(ctx context.Context, t bot.Target, parent string, m *bot.Message, key string) (string, error) {
	return a.post(ctx, t, m, key, parent)
}

// Update replaces the message with ts ref in the target's channel or DM
// (chat.update). Errors are *bot.SendError.
func (a *Adapter) Update(ctx context.Context, t bot.Target, ref string, m *bot.Message) error {
	ctx, cancel := apiContext(ctx)
	defer cancel()
	channel, err := a.targetChannel(ctx, t)
	if err != nil {
		return err
	}
	blocks, text := Render(m)
	var wrote atomic.Bool
	_, _, _, err = a.api.UpdateMessageContext(traced(ctx, &wrote), channel, ref,
		slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...))
	if err != nil {
		return sendError(fmt.Errorf("update %s in %s: %w", ref, channel, err), wrote.Load())
	}
	return nil
}

// apiContext bounds ctx by apiTimeout unless it has a deadline already.
func apiContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, apiTimeout)
}

// targetChannel is the target's channel, or its user's DM.
func (a *Adapter) targetChannel(ctx context.Context, t bot.Target) (string, error) {
	if t.Channel != "" {
		return t.Channel, nil
	}
	if t.User == "" {
		return "", &bot.SendError{Permanent: true, Reason: "no_target", Err: errors.New("target has no channel or user")}
	}
	return a.openDMTraced(ctx, t.User)
}

func (a *Adapter) post(ctx context.Context, t bot.Target, m *bot.Message, key, thread string) (string, error) {
	ctx, cancel := apiContext(ctx)
	defer cancel()
	channel, err := a.targetChannel(ctx, t)
	if err != nil {
		return "", err
	}
	blocks, text := Render(m)
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	if len(blocks) > 0 {
		opts = append(opts, slackapi.MsgOptionBlocks(blocks...))
	}
	if key != "" {
		opts = append(opts, slackapi.MsgOptionMetadata(slackapi.SlackMetadata{
			EventType: metadataEvent, EventPayload: map[string]any{"key": key}}))
	}
	var wrote atomic.Bool
	_, ts, err := a.api.PostMessageContext(traced(ctx, &wrote), channel, opts...)
	if err != nil {
		e := sendError(fmt.Errorf("post to %s: %w", channel, err), wrote.Load())
		e.Method = "chat.postMessage"
		return "", e
	}
	if m.Image != nil && len(m.Image.Data) > 0 {
		if err := a.upload(ctx, channel, m.Image); err != nil {
			a.log.Error("slack image upload after post failed", "channel", channel, "ts", ts, "key", key, "err", err)
		}
	}
	return ts, nil
}

// Attach uploads the image of a post made by Send to the post's channel
// (or the user's DM): the outbox's second step for a scheduled message
// with an image (outbox.Attacher), taken once the post is known to
// exist, also when it was found by Posted after an unknown outcome.
// Errors are *bot.SendError, as for Send.
func (a *Adapter) Attach(ctx context.Context, t bot.Target, ref string, img *bot.Image, key string) error {
	ctx, cancel := apiContext(ctx)
	defer cancel()
	if img == nil || len(img.Data) == 0 {
		return &bot.SendError{Permanent: true, Reason: "no_image", Err: errors.New("no image bytes to upload")}
	}
	channel, err := a.targetChannel(ctx, t)
	if err != nil {
		return err
	}
	var wrote atomic.Bool
	if err := a.upload(traced(ctx, &wrote), channel, img); err != nil {
		return sendError(fmt.Errorf("image for post %s (%s): %w", ref, key, err), wrote.Load())
	}
	return nil
}

// Attached reports whether an image named like img was shared in the
// channel of the post ref after it: what the outbox asks before
// uploading again after an upload whose outcome was unknown
// (outbox.AttachChecker). Errors are *bot.SendError.
func (a *Adapter) Attached(ctx context.Context, t bot.Target, ref string, img *bot.Image) (bool, error) {
	ctx, cancel := apiContext(ctx)
	defer cancel()
	channel := t.Channel
	if channel == "" {
		var err error
		if channel, err = a.openDMTraced(ctx, t.User); err != nil {
			return false, err
		}
	}
	name := img.Name
	if name == "" {
		name = "image.png"
	}
	params := &slackapi.GetConversationHistoryParameters{ChannelID: channel, Limit: 200, Oldest: ref}
	for range 10 {
		var wrote atomic.Bool
		res, err := a.api.GetConversationHistoryContext(traced(ctx, &wrote), params)
		if err != nil {
			e := sendError(fmt.Errorf("history of %s: %w", channel, err), wrote.Load())
			e.Unknown = false
			return false, e
		}
		for _, msg := range res.Messages {
			for _, f := range msg.Files {
				if f.Name == name {
					return true, nil
				}
			}
		}
		if !res.HasMore || res.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		params.Cursor = res.ResponseMetaData.NextCursor
	}
	return false, nil
}

// openDMTraced opens a DM for Send and Posted, with their error mapping.
func (a *Adapter) openDMTraced(ctx context.Context, user string) (string, error) {
	var wrote atomic.Bool
	ch, err := a.openDM(traced(ctx, &wrote), user)
	if err != nil {
		e := sendError(err, wrote.Load())
		e.Unknown = false // opening a DM twice is harmless
		e.Method = "conversations.open"
		return "", e
	}
	return ch, nil
}

// Posted reports whether channel holds a message posted by Send with key
// since the given instant, and its ts: what the outbox asks before
// retrying a send whose outcome was Unknown. channel may be a user id
// (U…, W…) for a post sent to that user's DM. Errors are *bot.SendError.
func (a *Adapter) Posted(ctx context.Context, channel, key string, since time.Time) (ref string, found bool, err error) {
	ctx, cancel := apiContext(ctx)
	defer cancel()
	if isUserID(channel) {
		if channel, err = a.openDMTraced(ctx, channel); err != nil {
			return "", false, err
		}
	}
	params := &slackapi.GetConversationHistoryParameters{ChannelID: channel, Limit: 200, IncludeAllMetadata: true,
		Oldest: fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000), Inclusive: true}
	for range 10 { // 2 000 messages: a channel that busy has bigger problems
		var wrote atomic.Bool
		res, err := a.api.GetConversationHistoryContext(traced(ctx, &wrote), params)
		if err != nil {
			e := sendError(fmt.Errorf("history of %s: %w", channel, err), wrote.Load())
			e.Unknown = false
			e.Method = "conversations.history"
			return "", false, e
		}
		for _, msg := range res.Messages {
			if msg.Metadata.EventType == metadataEvent && fmt.Sprint(msg.Metadata.EventPayload["key"]) == key {
				return msg.Timestamp, true, nil
			}
		}
		if !res.HasMore || res.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = res.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

func isUserID(id string) bool {
	return len(id) > 1 && (id[0] == 'U' || id[0] == 'W')
}

// traced notes in wrote whether the request reached the wire: an error
// before that is safe to retry, one after it may hide a success.
func traced(ctx context.Context, wrote *atomic.Bool) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
}

// sendError sorts a Web API failure into the outbox's terms; wrote tells
// whether the request was written before it failed.
func sendError(err error, wrote bool) *bot.SendError {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.SendError{RetryAfter: rl.RetryAfter, Reason: "ratelimited", Err: err}
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch {
		case permanent[se.Err]:
			return &bot.SendError{Permanent: true, Reason: se.Err, Err: err}
		case maybeDone[se.Err]:
			return &bot.SendError{Unknown: true, Reason: se.Err, Err: err}
		}
		return &bot.SendError{Reason: se.Err, Err: err}
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		reason := "http_" + strconv.Itoa(sc.Code)
		if sc.Code >= 500 {
			return &bot.SendError{Unknown: true, Reason: reason, Err: err}
		}
		return &bot.SendError{Reason: reason, Err: err}
	}
	if !wrote {
		return &bot.SendError{Reason: "not_sent", Err: err}
	}
	reason := "no_answer"
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout") {
		reason = "timeout"
	}
	return &bot.SendError{Unknown: true, Reason: reason, Err: err}
}
