package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// maxInteractionBody bounds what the HTTP endpoint reads; Discord's
// interactions are a few kilobytes.
const maxInteractionBody = 1 << 20

// signatureWindow is how far a signed timestamp may be from now: a
// captured request cannot be replayed later than that.
const signatureWindow = 5 * time.Minute

// serveInteractions is the HTTP interactions endpoint: verify, answer,
// and finish late or image answers as follow-ups after responding.
func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request) {
	if a.publicKey == nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{
			"error": "Discord interactions are off: set DISCORD_PUBLIC_KEY to the application's public key"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		code := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			code = http.StatusRequestEntityTooLarge
		}
		writeJSON(w, code, map[string]string{"error": "cannot read the request body"})
		return
	}
	if err := verifySignature(a.publicKey, r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body, a.opt.Clock.Now()); err != nil {
		a.log.Debug("discord interaction refused", "err", err)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid request signature"})
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not an interaction"})
		return
	}
	resp, followup := a.respond(r.Context(), &i)
	if followup != nil {
		// Counted in flight before the answer leaves, so whoever waits
		// for the adapter to go idle after reading it (a shutdown, a
		// test) also waits for the follow-up.
		a.inflight.add()
		defer a.inflight.done()
	}
	writeJSON(w, http.StatusOK, resp)
	if followup != nil {
		// The deferral must reach Discord before the follow-up does.
		_ = http.NewResponseController(w).Flush()
		a.goFollowup(followup)
	}
}

// verifySignature checks Discord's Ed25519 signature over timestamp+body
// and that the timestamp (Unix seconds) is within five minutes of now.
func verifySignature(key ed25519.PublicKey, sigHex, timestamp string, body []byte, now time.Time) error {
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("missing or malformed X-Signature-Ed25519")
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("missing or malformed X-Signature-Timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > signatureWindow || d < -signatureWindow {
		return fmt.Errorf("timestamp %s is %s from now", timestamp, d.Round(time.Second))
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(append(msg, timestamp...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return errors.New("signature does not match")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// respond answers an interaction, for the gateway and the HTTP endpoint
// alike. The answer is computed in the background; when it is ready
// within the budget (and carries no image), it is the response itself.
// Otherwise the response defers ("thinking…") and followup, to be called
// once the response has reached Discord, posts the answer.
func (a *Adapter) respond(ctx context.Context, i *discordgo.Interaction) (resp *discordgo.InteractionResponse, followup func(context.Context) error) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommandAutocomplete:
		return a.autocomplete(ctx, i), nil
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
	default:
		return a.message(&bot.Message{Text: i18n.T(locale(i), "err.unknown_action"), Private: true}), nil
	}
	user := interactionUser(i)
	if user == "" {
		return a.message(&bot.Message{Text: i18n.T(locale(i), "err.internal"), Private: true}), nil
	}
	if i.ID != "" {
		first, err := a.opt.Replays.FirstUse(ctx, platform+":interaction:"+i.ID, a.opt.Clock.Now())
		switch {
		case err != nil:
			a.log.Error("cannot record discord interaction id", "id", i.ID, "err", err)
			return a.message(&bot.Message{Text: i18n.T(locale(i), "err.internal"), Private: true}), nil
		case !first:
			a.log.Info("repeated discord interaction not run again", "id", i.ID, "user", user)
			return a.message(&bot.Message{Text: i18n.T(locale(i), "err.replayed"), Private: true}), nil
		}
	}

	start := time.Now()
	done := make(chan *bot.Message, 1)
	a.inflight.add()
	go func() {
		defer a.inflight.done()
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), followupWindow)
		defer cancel()
		done <- a.answer(work, i, user)
		if a.opt.OnActivity != nil {
			a.opt.OnActivity(work, user, i.ChannelID)
		}
	}()

	timer := time.NewTimer(a.opt.Budget)
	defer timer.Stop()
	var msg *bot.Message
	select {
	case msg = <-done:
		// A select may pick the answer though the budget just ran out;
		// only an answer within the budget is sent in-line.
		if time.Since(start) > a.opt.Budget {
			return a.deferred(i, msg), a.sendFollowup(i, msg, nil)
		}
	case <-timer.C:
		return a.deferred(i, nil), a.sendFollowup(i, nil, done)
	case <-ctx.Done():
		return a.deferred(i, nil), a.sendFollowup(i, nil, done)
	}
	if msg.Image != nil {
		// An interaction response written as JSON cannot carry a file.
		return a.deferred(i, msg), a.sendFollowup(i, msg, nil)
	}
	if msg.Form != nil && i.Type != discordgo.InteractionModalSubmit {
		return modal(msg.Form), nil
	}
	return a.respondWith(i, msg), nil
}

// respondWith answers in-line: a replacement of the message whose
// button was pressed when the answer asks for it, else a new message.
func (a *Adapter) respondWith(i *discordgo.Interaction, m *bot.Message) *discordgo.InteractionResponse {
	if m.Replace && i.Type == discordgo.InteractionMessageComponent {
		r := a.render(m)
		components := r.Components
		if components == nil {
			components = []discordgo.MessageComponent{} // the buttons go
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Embeds: r.embeds(), Components: components}}
	}
	return a.message(m)
}

// formInput is the custom_id of a form's one text field.
const formInput = "text"

// modal opens a form: its action and value travel in the custom_id.
func modal(f *bot.Form) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: truncate(customID(f.Action, f.Value), maxCustomID),
		Title:    truncate(f.Title, 45),
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: formInput, Label: truncate(f.Label, 45), Style: discordgo.TextInputParagraph, Required: true, MaxLength: 3000},
		}}},
	}}
}

// modalText is what was typed in a submitted form.
func modalText(data discordgo.ModalSubmitInteractionData) string {
	for _, row := range data.Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok && ti.CustomID == formInput {
				return ti.Value
			}
		}
	}
	return ""
}

// answer runs the command or button press for the user who made it.
func (a *Adapter) answer(ctx context.Context, i *discordgo.Interaction, user string) *bot.Message {
	svc := a.opt.Service
	caller, err := svc.Resolve(ctx, platform, user, i.ChannelID)
	if err != nil {
		a.log.Error("resolve discord user", "user", user, "err", err)
		return &bot.Message{Text: i18n.T(locale(i), "err.internal"), Private: true}
	}
	switch data := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		return svc.Run(ctx, caller, data.Name, optionArgs(data.Options))
	case discordgo.MessageComponentInteractionData:
		action, value := parseCustomID(data.CustomID)
		if i.Message != nil {
			caller.MessageRef = i.Message.ID
		}
		return svc.Interact(ctx, caller, action, value)
	case discordgo.ModalSubmitInteractionData:
		action, value := parseCustomID(data.CustomID)
		return svc.Submit(ctx, caller, action, value, modalText(data))
	}
	return &bot.Message{Text: i18n.T(caller.Locale, "err.unknown_action"), Private: true}
}

// optionArgs turns Discord's named options into a command's named
// arguments.
func optionArgs(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]string {
	args := map[string]string{}
	for _, o := range opts {
		if o == nil || o.Value == nil {
			continue
		}
		if s, ok := o.Value.(string); ok {
			args[o.Name] = s
		} else {
			args[o.Name] = fmt.Sprint(o.Value)
		}
	}
	return args
}

// interactionUser is who acted: the member in a guild, the user in a DM.
func interactionUser(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}

// locale is the language of a message sent before partnerbot knows who
// is asking: the user's Discord client language.
func locale(i *discordgo.Interaction) bot.Locale {
	if strings.HasPrefix(string(i.Locale), "pl") {
		return bot.LocalePL
	}
	return bot.LocaleEN
}

// message answers in-line: a new message, ephemeral when private. A
// button's public answer (a shared card) is a new message in the channel.
func (a *Adapter) message(m *bot.Message) *discordgo.InteractionResponse {
	r := a.render(m)
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: r.embeds(), Components: r.Components, Flags: flags(m.Private)},
	}
}

// deferred answers "thinking…" now and the message later. A command's
// deferral is ephemeral unless its answer is known to be public: every
// command answers privately, and a private answer must never be
// announced in public. A button whose answer is not known yet defers
// without a visible message (type 6), so the follow-up alone decides
// whether it is public.
func (a *Adapter) deferred(i *discordgo.Interaction, m *bot.Message) *discordgo.InteractionResponse {
	if i.Type == discordgo.InteractionMessageComponent && m == nil {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	private := m == nil || m.Private
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags(private)},
	}
}

// sendFollowup returns the follow-up that posts m, or the answer that
// will arrive on done.
func (a *Adapter) sendFollowup(i *discordgo.Interaction, m *bot.Message, done <-chan *bot.Message) func(context.Context) error {
	return func(ctx context.Context) error {
		msg := m
		if msg == nil {
			select {
			case msg = <-done:
			case <-ctx.Done():
				return fmt.Errorf("answer for interaction %s: %w", i.ID, ctx.Err())
			}
		}
		r := a.render(msg)
		ic := *i
		if ic.AppID == "" {
			ic.AppID = a.opt.AppID
		}
		if msg.Replace && i.Type == discordgo.InteractionMessageComponent && msg.Image == nil {
			embeds, components := r.embeds(), r.Components
			if components == nil {
				components = []discordgo.MessageComponent{}
			}
			if _, err := a.session.InteractionResponseEdit(&ic, &discordgo.WebhookEdit{Embeds: &embeds, Components: &components},
				discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true)); err != nil {
				return fmt.Errorf("update for interaction %s: %w", i.ID, err)
			}
			return nil
		}
		_, err := a.session.FollowupMessageCreate(&ic, true, &discordgo.WebhookParams{
			Embeds: r.embeds(), Components: r.Components, Files: r.files(), Flags: flags(msg.Private),
		}, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true))
		if err != nil {
			return fmt.Errorf("follow-up for interaction %s: %w", i.ID, err)
		}
		return nil
	}
}

// render renders m and logs what did not fit.
func (a *Adapter) render(m *bot.Message) rendered {
	r := render(m)
	if len(r.Dropped) > 0 {
		a.log.Warn("discord buttons left out", "buttons", r.Dropped)
	}
	return r
}

func flags(private bool) discordgo.MessageFlags {
	if private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// maxChoices is how many suggestions Discord shows.
const maxChoices = 25

// autocomplete suggests values for the option being typed: the asker's
// own partners (an admin's: all) for a partner argument, nothing for any
// other. It answers at once (no deferral exists for suggestions) and is
// not a use of the command, so it neither counts as activity nor uses up
// the interaction id.
func (a *Adapter) autocomplete(ctx context.Context, i *discordgo.Interaction) *discordgo.InteractionResponse {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}}
	if i.Data == nil {
		return resp
	}
	data := i.ApplicationCommandData()
	sp, ok := a.opt.Service.Spec(data.Name)
	user := interactionUser(i)
	if !ok || user == "" {
		return resp
	}
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range data.Options {
		if o.Focused {
			focused = o
		}
	}
	if focused == nil {
		return resp
	}
	partnerArg := false
	for _, arg := range sp.Args {
		partnerArg = partnerArg || (arg.Name == focused.Name && arg.Partner)
	}
	if !partnerArg {
		return resp
	}
	ctx, cancel := context.WithTimeout(ctx, a.opt.Budget)
	defer cancel()
	caller, err := a.opt.Service.Resolve(ctx, platform, user, i.ChannelID)
	if err != nil {
		a.log.Error("resolve discord user for autocomplete", "user", user, "err", err)
		return resp
	}
	typed, _ := focused.Value.(string)
	sugg, err := a.opt.Service.CompletePartners(ctx, caller, typed, maxChoices)
	if err != nil {
		a.log.Error("discord autocomplete", "user", user, "err", err)
		return resp
	}
	for _, s := range sugg {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(s.Label, 100), Value: s.Value})
	}
	resp.Data.Choices = choices
	return resp
}
