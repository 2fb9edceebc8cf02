package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// response is a message as a slash command answer, a Socket Mode ack
// payload or a response_url post.
type response struct {
	ResponseType    string           `json:"response_type,omitempty"` // "ephemeral" or "in_channel"
	Text            string           `json:"text"`
	Blocks          []slackapi.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool             `json:"replace_original"`
}

// reply is what to answer one request with, and what to do after.
type reply struct {
	resp  response
	image *bot.Image // to upload to the user's DM once answered
	user  string
	// opened says a modal opened instead: the request is acknowledged
	// with no message.
	opened bool
}

// present renders a command's message for the asker. An image cannot
// ride in a response: the answer says it went to the asker's DM, and
// the upload follows.
func (a *Adapter) present(c *commands.Caller, msg *bot.Message) reply {
	if msg == nil {
		msg = internalError()
	}
	m := *msg
	r := reply{user: c.UserID}
	if m.Image != nil && len(m.Image.Data) > 0 {
		r.image = m.Image
		alt := m.Image.Alt
		if alt == "" {
			alt = m.Image.Name
		}
		note := i18n.T(c.Locale, "slack.image_in_dm", alt)
		if m.Text != "" {
			m.Text += "\n\n" + note
		} else {
			m.Text = note
		}
	}
	m.Image = nil
	blocks, text := Render(&m)
	r.resp = response{ResponseType: "in_channel", Text: text, Blocks: blocks}
	if m.Private {
		r.resp.ResponseType = "ephemeral"
	}
	if m.Replace {
		r.resp.ResponseType, r.resp.ReplaceOriginal = "", true
	}
	return r
}

// slashCommand is the part of a slash command request the adapter reads.
type slashCommand struct {
	Command, Text, UserID, ChannelID, ResponseURL string
	// ID names the request for replay checks: its trigger_id, else
	// something as unique (the signed body's hash, the envelope id).
	ID string
	// TriggerID lets the answer open a modal (a form) for 3 seconds.
	TriggerID string
}

// serveCommand answers POST /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	if form.Get("ssl_check") != "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	sc := slashCommand{Command: form.Get("command"), Text: form.Get("text"), UserID: form.Get("user_id"),
		ChannelID: form.Get("channel_id"), ResponseURL: form.Get("response_url"), ID: form.Get("trigger_id"),
		TriggerID: form.Get("trigger_id")}
	if sc.ID == "" {
		sc.ID = bodyID(r, body)
	}
	if sc.Command == "" || sc.UserID == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	a.slash(r.Context(), sc, func(resp *response) error {
		if resp == nil {
			w.WriteHeader(http.StatusOK)
			return nil
		}
		b, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, err = w.Write(b)
		return err
	})
}

// slash runs a slash command and answers it through answer exactly once:
// with the response when the command finishes within the budget, or with
// nil at the budget's end, and then the response goes to response_url
// (also when answer fails with a response). The command runs on after
// ctx ends.
func (a *Adapter) slash(ctx context.Context, sc slashCommand, answer func(*response) error) {
	received := a.clock.Now()
	first, err := a.firstUse(ctx, "command", sc.ID)
	if !first {
		msg := replayed()
		if err != nil {
			msg = internalError()
		}
		r := a.present(&commands.Caller{Platform: Platform, UserID: sc.UserID, ChannelID: sc.ChannelID}, msg)
		if err := answer(&r.resp); err != nil {
			a.log.Warn("slack answer to a repeated command failed", "command", sc.Command, "err", err)
		}
		return
	}
	a.activity(sc.UserID, sc.ChannelID)
	done := make(chan reply, 1)
	a.track("command "+sc.Command, func() {
		// Should the command panic, the asker still gets an answer.
		r := a.present(&commands.Caller{Platform: Platform, UserID: sc.UserID, ChannelID: sc.ChannelID}, internalError())
		defer func() { done <- r }()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commandTimeout)
		defer cancel()
		r = a.runSlash(cctx, sc)
	})
	budget := time.NewTimer(a.budget)
	defer budget.Stop()
	select {
	case r := <-done:
		if r.opened {
			if err := answer(nil); err != nil {
				a.log.Warn("slack ack after opening a modal failed", "command", sc.Command, "err", err)
			}
			return
		}
		if err := answer(&r.resp); err != nil {
			a.log.Warn("slack answer failed; using response_url", "command", sc.Command, "err", err)
			a.track("response "+sc.Command, func() { a.respond(sc.ResponseURL, received, r) })
			return
		}
		a.afterReply(r)
	case <-budget.C:
		if err := answer(nil); err != nil {
			a.log.Warn("slack ack failed", "command", sc.Command, "err", err)
		}
		a.track("response "+sc.Command, func() { a.respond(sc.ResponseURL, received, <-done) })
	}
}

// runSlash resolves the caller, parses the text by the command's
// declaration and runs it.
func (a *Adapter) runSlash(ctx context.Context, sc slashCommand) reply {
	c, err := a.resolve(ctx, sc.UserID, sc.ChannelID)
	if err != nil {
		return a.present(&commands.Caller{Platform: Platform, UserID: sc.UserID, ChannelID: sc.ChannelID}, internalError())
	}
	name := strings.TrimPrefix(sc.Command, "/")
	args, err := a.svc.ParseText(name, sc.Text)
	var msg *bot.Message
	switch {
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		msg = a.svc.Run(ctx, c, name, nil) // explains, in the caller's language
	case err != nil:
		msg = &bot.Message{Text: bot.ErrorMessage(err), Private: true}
	default:
		msg = a.svc.Run(ctx, c, name, args)
	}
	if msg != nil && msg.Form != nil && sc.TriggerID != "" {
		// A command that asks for text it was not given (/message ID)
		// opens a modal to write it in; its submission comes back as a
		// view_submission. Should the modal not open (the trigger lasts
		// 3 s), the message's text says how to give the text inline.
		if err := a.openForm(ctx, sc.TriggerID, msg.Form); err == nil {
			return reply{user: c.UserID, opened: true}
		} else {
			a.log.Warn("slack modal failed to open", "command", sc.Command, "user", sc.UserID, "err", err)
		}
	}
	return a.present(c, msg)
}

// respond posts a reply to a response_url once it is ready, then does
// what follows the reply.
func (a *Adapter) respond(responseURL string, received time.Time, r reply) {
	if r.opened {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
	defer cancel()
	if err := a.postResponse(ctx, responseURL, received, r.resp); err != nil {
		a.log.Error("slack response_url post failed", "user", r.user, "err", err)
	}
	a.afterReply(r)
}

// postResponse posts to a response_url, which Slack honours for 30
// minutes after the request.
func (a *Adapter) postResponse(ctx context.Context, responseURL string, received time.Time, resp response) error {
	if responseURL == "" {
		return fmt.Errorf("no response_url")
	}
	if age := a.clock.Now().Sub(received); age > responseURLValidity {
		return fmt.Errorf("response_url expired (%s old)", age.Round(time.Second))
	}
	u, err := url.Parse(responseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("bad response_url %q", responseURL)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := a.web.Do(req)
	if err != nil {
		return fmt.Errorf("post response_url: %w", err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("post response_url: %s: %s", res.Status, strings.TrimSpace(string(out)))
	}
	return nil
}

// afterReply uploads a reply's image to the asker's DM, in the
// background.
func (a *Adapter) afterReply(r reply) {
	if r.image == nil {
		return
	}
	a.track("upload "+r.image.Name, func() {
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		dm, err := a.openDM(ctx, r.user)
		if err == nil {
			err = a.upload(ctx, dm, r.image)
		}
		if err != nil {
			a.log.Error("slack image upload to DM failed", "user", r.user, "file", r.image.Name, "err", err)
		}
	})
}

// openDM returns the id of the bot's DM with a user.
func (a *Adapter) openDM(ctx context.Context, user string) (string, error) {
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
	if err != nil {
		return "", fmt.Errorf("open DM with %s: %w", user, err)
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("open DM with %s: no channel in answer", user)
	}
	return ch.ID, nil
}

// upload shares an image in a channel (files.getUploadURLExternal,
// the bytes, files.completeUploadExternal).
func (a *Adapter) upload(ctx context.Context, channel string, img *bot.Image) error {
	name := img.Name
	if name == "" {
		name = "image.png"
	}
	title := img.Alt
	if title == "" {
		title = name
	}
	_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader:   bytes.NewReader(img.Data),
		FileSize: len(img.Data),
		Filename: name,
		Title:    cutPlain(title, 250),
		AltTxt:   cutPlain(img.Alt, 1000),
		Channel:  channel,
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", name, channel, err)
	}
	return nil
}

// interaction is the part of a block_actions or view_submission payload
// the adapter reads.
type interaction struct {
	Type      string `json:"type"`
	TriggerID string `json:"trigger_id"`
	User      struct {
		ID string `json:"id"`
	} `json:"user"`
	View struct {
		ID              string `json:"id"`
		Hash            string `json:"hash"`
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		State           struct {
			Values map[string]map[string]struct {
				Value string `json:"value"`
			} `json:"values"`
		} `json:"state"`
	} `json:"view"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	ResponseURL string `json:"response_url"`
	// Message is the message whose button was pressed (none in the
	// Home tab).
	Message struct {
		TS string `json:"ts"`
	} `json:"message"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		ActionTS string `json:"action_ts"`
	} `json:"actions"`
}

// id names an interaction for replay checks: its trigger_id, else the
// first action's action_ts with the user, else a view's id and hash,
// else fallback.
func (in *interaction) id(fallback string) string {
	switch {
	case in.TriggerID != "":
		return in.TriggerID
	case len(in.Actions) > 0 && in.Actions[0].ActionTS != "":
		return in.User.ID + "/" + in.Actions[0].ActionTS
	case in.View.ID != "":
		return in.View.ID + "/" + in.View.Hash
	}
	return fallback
}

// serveInteraction answers POST /slack/interactions at once; the button's
// action runs in the background and answers through response_url.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	var in interaction
	if err := json.Unmarshal([]byte(form.Get("payload")), &in); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	first, err := a.firstUse(r.Context(), "interaction", in.id(bodyID(r, body)))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	if first {
		a.interact(in)
	}
}

// interact runs a button press in the background; the caller has
// checked it is not a replay. A private answer is ephemeral; a public one (a partner sharing its own stats) goes to the
// channel. Presses in the Home tab have no response_url: their answer
// goes to the user's DM.
func (a *Adapter) interact(in interaction) {
	if in.Type == "view_submission" {
		a.submit(in)
		return
	}
	if in.Type != "block_actions" {
		a.log.Debug("ignored slack interaction", "type", in.Type)
		return
	}
	received := a.clock.Now()
	for _, act := range in.Actions {
		action := actionOf(act.ActionID)
		if action == linkActionID {
			continue // a link button: Slack opened the link
		}
		a.track("action "+action, func() {
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			c, err := a.resolve(ctx, in.User.ID, in.Channel.ID)
			var r reply
			if err != nil {
				r = a.present(&commands.Caller{Platform: Platform, UserID: in.User.ID}, internalError())
			} else {
				c.MessageRef = in.Message.TS
				msg := a.svc.Interact(ctx, c, action, act.Value)
				if msg != nil && msg.Form != nil && in.TriggerID != "" {
					if err := a.openForm(ctx, in.TriggerID, msg.Form); err == nil {
						return
					} else {
						a.log.Error("slack modal failed to open", "user", in.User.ID, "err", err)
					}
				}
				r = a.present(c, msg)
			}
			if in.ResponseURL == "" {
				a.dmReply(ctx, in.User.ID, r)
				return
			}
			a.respond(in.ResponseURL, received, r)
		})
	}
}

// dmReply sends a reply to the user's DM: for presses that came with no
// response_url (the Home tab).
func (a *Adapter) dmReply(ctx context.Context, user string, r reply) {
	dm, err := a.openDM(ctx, user)
	if err == nil {
		_, _, err = a.api.PostMessageContext(ctx, dm, slackapi.MsgOptionText(r.resp.Text, false), slackapi.MsgOptionBlocks(r.resp.Blocks...))
	}
	if err != nil {
		a.log.Error("slack DM reply failed", "user", user, "err", err)
		return
	}
	a.afterReply(r)
}

// formBlock and formInput name the one text field of a form's modal.
const (
	formBlock = "partnerbot.form"
	formInput = "text"
)

// openForm opens a form as a modal (views.open); the form's action and
// value ride in the view's callback_id and private_metadata.
func (a *Adapter) openForm(ctx context.Context, trigger string, f *bot.Form) error {
	input := slackapi.NewPlainTextInputBlockElement(nil, formInput)
	input.Multiline = true
	input.MaxLength = 3000
	view := slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		Title:           slackapi.NewTextBlockObject(slackapi.PlainTextType, cutPlain(f.Title, 24), false, false),
		Submit:          slackapi.NewTextBlockObject(slackapi.PlainTextType, cutPlain(f.Submit, 24), false, false),
		CallbackID:      f.Action,
		PrivateMetadata: f.Value,
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
			slackapi.NewInputBlock(formBlock, slackapi.NewTextBlockObject(slackapi.PlainTextType, cutPlain(f.Label, 2000), false, false), nil, input),
		}},
	}
	if _, err := a.api.OpenViewContext(ctx, trigger, view); err != nil {
		return fmt.Errorf("open modal %s: %w", f.Action, err)
	}
	return nil
}

// submit runs a submitted modal in the background; the modal closes at
// once (the request was answered 200 with no body) and the outcome goes
// to the user's DM.
func (a *Adapter) submit(in interaction) {
	text := in.View.State.Values[formBlock][formInput].Value
	a.track("form "+in.View.CallbackID, func() {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		c, err := a.resolve(ctx, in.User.ID, "")
		var r reply
		if err != nil {
			r = a.present(&commands.Caller{Platform: Platform, UserID: in.User.ID}, internalError())
		} else {
			r = a.present(c, a.svc.Submit(ctx, c, in.View.CallbackID, in.View.PrivateMetadata, text))
		}
		a.dmReply(ctx, in.User.ID, r)
	})
}
