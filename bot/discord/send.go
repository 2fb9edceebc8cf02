package discord

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
)

// messageCreate is the body of POST /channels/{id}/messages. discordgo's
// MessageSend has no nonce or enforce_nonce, which make a repeated post
// return the first message instead of a second one.
type messageCreate struct {
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	Attachments     []attachment                      `json:"attachments,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
	// MessageReference makes the post a reply to an earlier message.
	MessageReference *discordgo.MessageReference `json:"message_reference,omitempty"`
}

// attachment describes an uploaded file (files[ID]) with its alt text.
type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// maxNonce is the longest nonce Discord accepts.
const maxNonce = 25

// nonce turns a delivery key into a Discord nonce: the key itself when it
// fits, else a hash of it, so the same key always gives the same nonce.
func nonce(key string) string {
	if key == "" || len(key) <= maxNonce {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:maxNonce]
}

// Send posts a scheduled message to a channel, or to a user's DMs when
// the target has no channel, and returns the message id. key makes the
// post idempotent for a few minutes: a repeat with the same key returns
// the first message rather than posting again.
//
// Failures are *bot.SendError: Permanent for a closed DM, a gone channel
// or user, or missing access or permissions (Reason is Discord's code);
// RetryAfter for a 429; temporary for 5xx and network errors.
func (a *Adapter) Send(ctx context.Context, t bot.Target, m *bot.Message, key string) (ref string, err error) {
	return a.post(ctx, t, m, key, "")
}

// SendReply posts like Send, as a reply to the message with id parent in
// the same channel or DM.
func (a *Adapter) SendReply(ctx context.Context, t bot.Target, parent string, m *bot.Message, key string) (string, error) {
	return a.post(ctx, t, m, key, parent)
}

// Update replaces the content and buttons of the bot's message ref in
// the target's channel or DM (an edit). Errors are *bot.SendError.
func (a *Adapter) Update(ctx context.Context, t bot.Target, ref string, m *bot.Message) error {
	channel, err := a.targetChannel(ctx, t)
	if err != nil {
		return err
	}
	r := a.render(m)
	components := r.Components
	if components == nil {
		components = []discordgo.MessageComponent{} // an edit without buttons removes them
	}
	body := map[string]any{"embeds": r.embeds(), "components": components}
	info := &responseInfo{}
	endpoint := discordgo.EndpointChannelMessage(channel, ref)
	if _, err := a.session.RequestWithBucketID("PATCH", endpoint, body, discordgo.EndpointChannelMessage(channel, ""),
		discordgo.WithContext(withResponseInfo(ctx, info))); err != nil {
		return sendError(err, info, true)
	}
	return nil
}

// targetChannel is the target's channel, or its user's DM channel.
func (a *Adapter) targetChannel(ctx context.Context, t bot.Target) (string, error) {
	if a.opt.BotToken == "" {
		return "", &bot.SendError{Permanent: true, Reason: "no_token", Err: errors.New("DISCORD_BOT_TOKEN is not set")}
	}
	if t.Channel != "" {
		return t.Channel, nil
	}
	if t.User == "" {
		return "", &bot.SendError{Permanent: true, Reason: "no_target", Err: errors.New("target has neither channel nor user")}
	}
	return a.dmChannel(ctx, t.User, true)
}

func (a *Adapter) post(ctx context.Context, t bot.Target, m *bot.Message, key, parent string) (ref string, err error) {
	channel, err := a.targetChannel(ctx, t)
	if err != nil {
		return "", err
	}

	r := a.render(m)
	body := messageCreate{
		Embeds:          r.embeds(),
		Components:      r.Components,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		Nonce:           nonce(key),
		EnforceNonce:    key != "",
	}
	if parent != "" {
		// A reply whose parent is gone is posted on its own.
		no := false
		body.MessageReference = &discordgo.MessageReference{MessageID: parent, ChannelID: channel, FailIfNotExists: &no}
	}
	info := &responseInfo{}
	opts := []discordgo.RequestOption{discordgo.WithContext(withResponseInfo(ctx, info))}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var resp []byte
	if files := r.files(); len(files) > 0 {
		body.Attachments = []attachment{{ID: 0, Filename: r.FileName, Description: truncate(r.Image.Alt, 1024)}}
		contentType, multipart, merr := discordgo.MultipartBodyWithJSON(body, files)
		if merr != nil {
			return "", &bot.SendError{Permanent: true, Reason: "encode", Err: merr}
		}
		resp, err = a.session.RequestRaw("POST", endpoint, contentType, multipart, endpoint, 0, opts...)
	} else {
		resp, err = a.session.RequestWithBucketID("POST", endpoint, body, endpoint, opts...)
	}
	if err != nil {
		e := sendError(err, info, key != "")
		e.Method = "create_message"
		return "", e
	}
	var msg struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &msg); err != nil || msg.ID == "" {
		// Posted, but the answer is unreadable; with a nonce a repeat
		// returns the same message and its id.
		return "", &bot.SendError{Unknown: key == "", Reason: "bad_response", Err: fmt.Errorf("read message id: %q", truncate(string(resp), 200))}
	}
	return msg.ID, nil
}

// dmChannel returns the DM channel with a user, opened once and then
// remembered: Discord throttles opening many DMs.
func (a *Adapter) dmChannel(ctx context.Context, user string, idempotent bool) (string, error) {
	a.mu.Lock()
	id, ok := a.dmCache[user]
	a.mu.Unlock()
	if ok {
		return id, nil
	}
	info := &responseInfo{}
	ch, err := a.session.UserChannelCreate(user, discordgo.WithContext(withResponseInfo(ctx, info)))
	if err != nil {
		// Opening a DM posts nothing: a retry is always safe.
		e := sendError(err, info, true)
		e.Method = "create_dm"
		return "", e
	}
	a.mu.Lock()
	a.dmCache[user] = ch.ID
	a.mu.Unlock()
	return ch.ID, nil
}

// permanentCodes are Discord's JSON error codes that will not change on a
// retry.
var permanentCodes = map[int]string{
	50007: "cannot send messages to this user (DMs closed)",
	50278: "no mutual guild with this user",
	10003: "unknown channel",
	10013: "unknown user",
	50001: "missing access",
	50013: "missing permissions",
}

// codeOpeningDMsTooFast is Discord's throttle on opening DMs.
const codeOpeningDMsTooFast = 40003

// sendError says what a failed request means for the outbox. idempotent
// tells whether repeating it is safe (a nonce was sent); without, a
// network failure after sending leaves the outcome Unknown.
func sendError(err error, info *responseInfo, idempotent bool) *bot.SendError {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		d := time.Duration(0)
		if rl.TooManyRequests != nil {
			d = rl.TooManyRequests.RetryAfter
		}
		return &bot.SendError{RetryAfter: retryAfter(d, info), Reason: "429", Err: err}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		status, code := 0, 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		if re.Message != nil {
			code = re.Message.Code
		}
		reason := "http_" + strconv.Itoa(status)
		if code != 0 {
			reason = strconv.Itoa(code)
		}
		switch {
		case permanentCodes[code] != "":
			return &bot.SendError{Permanent: true, Reason: reason, Err: fmt.Errorf("%s: %w", permanentCodes[code], err)}
		case status == http.StatusTooManyRequests || code == codeOpeningDMsTooFast:
			return &bot.SendError{RetryAfter: retryAfter(bodyRetryAfter(re.ResponseBody), info), Reason: reason, Err: err}
		case status >= 500:
			return &bot.SendError{Reason: reason, Err: err}
		case status >= 400:
			// A refused request (bad body, bad token, no such route)
			// fails the same way again.
			return &bot.SendError{Permanent: true, Reason: reason, Err: err}
		}
		return &bot.SendError{Reason: reason, Err: err}
	}
	// discordgo loses the status of some failures; the transport kept it.
	if info != nil && info.status != 0 {
		reason := "http_" + strconv.Itoa(info.status)
		switch {
		case info.status == http.StatusTooManyRequests:
			return &bot.SendError{RetryAfter: retryAfter(0, info), Reason: reason, Err: err}
		case info.status >= 500:
			return &bot.SendError{Reason: reason, Err: err}
		case info.status >= 200 && info.status < 300:
			// Posted, but the answer could not be read.
			return &bot.SendError{Unknown: !idempotent, Reason: "bad_response", Err: err}
		}
		return &bot.SendError{Permanent: true, Reason: reason, Err: err}
	}
	// A network failure: the request may have been sent. With a nonce a
	// repeat within minutes returns the first message, so retrying is
	// safe.
	return &bot.SendError{Unknown: !idempotent, Reason: "network", Err: err}
}

// bodyRetryAfter reads retry_after (seconds, fractional) from a 429 body.
func bodyRetryAfter(body []byte) time.Duration {
	var v struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &v) != nil {
		return 0
	}
	return seconds(v.RetryAfter)
}

// retryAfter is the wait the body asked for, else the Retry-After header,
// else one second: a 429 always means wait.
func retryAfter(fromBody time.Duration, info *responseInfo) time.Duration {
	if fromBody > 0 {
		return fromBody
	}
	if info != nil && info.header != nil {
		if s, err := strconv.ParseFloat(info.header.Get("Retry-After"), 64); err == nil && s > 0 {
			return seconds(s)
		}
	}
	return time.Second
}

func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) || s > 86400 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}
