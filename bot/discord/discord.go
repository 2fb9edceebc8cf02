// Package discord connects partnerbot to Discord: slash commands and
// buttons arrive over the gateway or the HTTP interactions endpoint, are
// answered by the commands.Service, and its platform-neutral messages go
// back as embeds with buttons; scheduled posts go out through Send.
//
// Everything Discord-shaped stays here. Commands get a Caller and named
// arguments (Discord's named options map one to one onto commands.Arg),
// and never see a discordgo type.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// platform is the name commands and stores know Discord by.
const platform = "discord"

// Options configure an Adapter.
type Options struct {
	Service   *commands.Service
	BotToken  string // DISCORD_BOT_TOKEN, without "Bot "
	AppID     string // DISCORD_APP_ID
	PublicKey string // DISCORD_PUBLIC_KEY: hex Ed25519 key that signs HTTP interactions
	GuildID   string // register commands to this guild; "" registers them globally
	// DMCommands registers the commands globally, usable in servers and
	// in a DM with the bot (contexts guild and bot DM, guild install);
	// the guild's own commands, if GuildID is set, are cleared.
	DMCommands bool
	// APIURL replaces https://discord.com/api/v9 (config discord.api_url);
	// "" means Discord itself.
	APIURL string
	// Clock judges the age of signed interaction timestamps, which
	// Discord stamps in real time: under `serve --now` give it the wall
	// clock, not the shifted one.
	Clock  bot.Clock
	Logger *slog.Logger
	// OnActivity is told that a user wrote a message (gateway, not bots)
	// or used a command or button: the fact, never the text.
	OnActivity func(ctx context.Context, userID, channelID string)
	// Budget is how long an interaction may take before it is answered
	// "thinking…" and finished as a follow-up. Discord allows 3 s; the
	// default is 2.5 s. It is measured on the wall clock, like Discord's.
	Budget time.Duration
	// Replays remembers the ids of interactions already answered, so one
	// re-sent (a captured HTTP request, a gateway event delivered again)
	// runs once. Give the store, which keeps them across restarts; nil
	// keeps them in memory only.
	Replays bot.Replays
}

// Adapter is partnerbot on Discord.
type Adapter struct {
	opt       Options
	session   *discordgo.Session // REST for everything; the gateway too once Run opens it
	publicKey ed25519.PublicKey  // nil: the HTTP endpoint is off
	log       *slog.Logger
	inflight  inflight

	mu      sync.Mutex
	runCtx  context.Context   // Run's context, for gateway handlers
	dmCache map[string]string // user id → DM channel id
}

// defaultBudget leaves half a second of Discord's 3 s for the network.
const defaultBudget = 2500 * time.Millisecond

// followupWindow bounds work answered as a follow-up: an interaction
// token lasts 15 minutes.
const followupWindow = 14 * time.Minute

// New returns an adapter. It connects to nothing until Run, Send or
// RegisterCommands. Returns an error when Service is missing, PublicKey
// is not a hex Ed25519 key, or APIURL is not an http(s) URL.
func New(o Options) (*Adapter, error) {
	if o.Service == nil {
		return nil, errors.New("discord: no commands service")
	}
	if o.Clock == nil {
		o.Clock = bot.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Budget <= 0 {
		o.Budget = defaultBudget
	}
	if o.Replays == nil {
		o.Replays = bot.NewMemoryReplays(10000)
	}
	a := &Adapter{opt: o, log: o.Logger.With("platform", platform), dmCache: map[string]string{}}
	a.inflight.init()
	if o.PublicKey != "" {
		key, err := hex.DecodeString(o.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("discord: DISCORD_PUBLIC_KEY is not a hex Ed25519 public key (64 hex digits)")
		}
		a.publicKey = key
	}
	rt, err := newRedirectTransport(o.APIURL, http.DefaultTransport)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	token := ""
	if o.BotToken != "" {
		token = "Bot " + o.BotToken
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: recordingTransport{next: rt}}
	// The outbox decides about 429s and failures itself: discordgo's own
	// waits and retries would hide them (and a retried 502 may post twice).
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	a.session = s
	return a, nil
}

// Mount adds the HTTP interactions endpoint, POST /discord/interactions.
func (a *Adapter) Mount(handle func(pattern string, h http.Handler)) {
	handle("POST /discord/interactions", http.HandlerFunc(a.serveInteractions))
}

// RegisterCommands makes Discord's slash commands match the service's
// commands: one bulk overwrite of the guild's commands (GuildID) or the
// global ones, so running it again updates them and never duplicates.
// Returns an error when the token or app id is missing or Discord refuses.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	switch {
	case a.opt.BotToken == "":
		return errors.New("register discord commands: DISCORD_BOT_TOKEN is not set")
	case a.opt.AppID == "":
		return errors.New("register discord commands: DISCORD_APP_ID is not set")
	}
	scope, guild := "globally", a.opt.GuildID
	if a.opt.DMCommands {
		scope, guild = "globally, with DMs", ""
	} else if guild != "" {
		scope = "in guild " + guild
	}
	cmds := applicationCommands(a.opt.Service.Specs(), a.opt.DMCommands)
	_, err := a.session.ApplicationCommandBulkOverwrite(a.opt.AppID, guild, cmds,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true))
	if err != nil {
		return fmt.Errorf("register discord commands %s: %w", scope, err)
	}
	if a.opt.DMCommands && a.opt.GuildID != "" {
		// Guild commands registered before would show beside the global
		// ones with the same names.
		if _, err := a.session.ApplicationCommandBulkOverwrite(a.opt.AppID, a.opt.GuildID, []*discordgo.ApplicationCommand{},
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true)); err != nil {
			return fmt.Errorf("clear discord commands in guild %s (now registered globally): %w", a.opt.GuildID, err)
		}
	}
	a.log.Info("discord commands registered", "scope", scope, "commands", len(cmds))
	return nil
}

// applicationCommands declares the service's commands to Discord: one
// string option per argument, with the declaration's fixed choices, its
// length cap, or autocomplete for partner ids; English descriptions with
// Polish localizations. The names are the commands' own, the same as on
// Slack (the contract), so they are not localized. withDMs declares the
// commands usable in servers and in a DM with the bot.
func applicationCommands(specs []*commands.Spec, withDMs bool) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(specs))
	for _, sp := range specs {
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     sp.Name,
			Description:              description(sp.Help(bot.LocaleEN), sp.Name),
			DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.Polish: description(sp.Help(bot.LocalePL), sp.Name)},
			Options:                  []*discordgo.ApplicationCommandOption{},
		}
		if withDMs {
			cmd.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
			cmd.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
		}
		for _, arg := range sp.Args {
			opt := &discordgo.ApplicationCommandOption{
				Type:        discordgo.ApplicationCommandOptionString,
				Name:        arg.Name,
				Required:    arg.Required,
				Description: description(sp.ArgHelp(bot.LocaleEN, arg.Name), arg.Name),
				DescriptionLocalizations: map[discordgo.Locale]string{
					discordgo.Polish: description(sp.ArgHelp(bot.LocalePL, arg.Name), arg.Name),
				},
				Autocomplete: arg.Partner,
			}
			for _, c := range arg.Choices {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
			}
			if len(opt.Choices) == 0 && arg.MaxLen > 0 {
				opt.MaxLength = min(arg.MaxLen, maxOptionLength)
			}
			cmd.Options = append(cmd.Options, opt)
		}
		// Discord refuses an optional option before a required one.
		sort.SliceStable(cmd.Options, func(i, j int) bool { return cmd.Options[i].Required && !cmd.Options[j].Required })
		out = append(out, cmd)
	}
	return out
}

// maxOptionLength is Discord's cap on a string option's max_length.
const maxOptionLength = 6000

// description fits a help text into Discord's 100 characters; Discord
// refuses an empty one.
func description(help, fallback string) string {
	if help == "" {
		help = fallback
	}
	return truncate(help, 100)
}

// Run connects to the gateway and answers interactions and notes user
// messages until ctx is done. Without a bot token it returns nil at once:
// the HTTP endpoint may still answer interactions.
func (a *Adapter) Run(ctx context.Context) error {
	if a.opt.BotToken == "" {
		return nil
	}
	a.mu.Lock()
	a.runCtx = ctx
	a.mu.Unlock()
	s := a.session
	removeInteraction := s.AddHandler(a.onInteraction)
	removeMessage := s.AddHandler(a.onMessage)
	defer removeInteraction()
	defer removeMessage()
	if err := s.Open(); err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	a.log.Info("discord gateway connected")
	<-ctx.Done()
	err := s.Close()
	// Let answers in progress reach Discord before the store goes away.
	a.inflight.wait(5 * time.Second)
	if err != nil {
		return fmt.Errorf("discord gateway close: %w", err)
	}
	return nil
}

// context is the context of gateway work: Run's while it runs.
func (a *Adapter) context() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runCtx == nil {
		return context.Background()
	}
	return a.runCtx
}

// onInteraction answers an interaction from the gateway.
func (a *Adapter) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	ctx := a.context()
	resp, followup := a.respond(ctx, ic.Interaction)
	if err := s.InteractionRespond(ic.Interaction, resp, discordgo.WithContext(ctx)); err != nil {
		a.log.Warn("discord interaction response failed", "interaction", ic.ID, "err", err)
		return
	}
	if followup != nil {
		a.goFollowup(followup)
	}
}

// onMessage hears a person's message: not a bot, not a webhook, not a
// join or pin notice. OnActivity learns the fact; the text, which
// Discord gives a bot without the privileged MESSAGE_CONTENT intent only
// in its DMs and in messages that mention it (a reply to its post
// mentions it by default), goes to the Service's Converse and is
// answered in the same channel.
func (a *Adapter) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m == nil || m.Message == nil || m.Author == nil {
		return
	}
	if m.Author.Bot || m.Author.System || m.WebhookID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	self := ""
	if s != nil && s.State != nil && s.State.User != nil {
		self = s.State.User.ID
	}
	if self != "" && self == m.Author.ID {
		return
	}
	ctx := a.context()
	if a.opt.OnActivity != nil {
		a.opt.OnActivity(ctx, m.Author.ID, m.ChannelID)
	}
	in := commands.Incoming{DM: m.GuildID == "", Text: m.Content}
	if m.MessageReference != nil {
		in.Thread = m.MessageReference.MessageID
	}
	for _, u := range m.Mentions {
		if u != nil && self != "" && u.ID == self {
			in.Mention = true
			in.Text = strings.NewReplacer("<@"+self+">", "", "<@!"+self+">", "").Replace(in.Text)
		}
	}
	if !in.DM && !in.Mention && in.Thread == "" {
		return
	}
	c, err := a.opt.Service.Resolve(ctx, platform, m.Author.ID, m.ChannelID)
	var msg *bot.Message
	if err != nil {
		a.log.Error("resolve discord user", "user", m.Author.ID, "err", err)
		msg = &bot.Message{Text: i18n.T(bot.LocaleEN, "err.internal") + "\n" + i18n.T(bot.LocalePL, "err.internal")}
	} else if msg = a.opt.Service.Converse(ctx, c, in); msg == nil {
		return
	}
	r := a.render(msg)
	send := &discordgo.MessageSend{Embeds: r.embeds(), Components: r.Components,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}
	if !in.DM {
		send.Reference = m.Reference()
	}
	if _, err := a.session.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx)); err != nil {
		a.log.Error("discord answer to a message failed", "user", m.Author.ID, "channel", m.ChannelID, "err", err)
	}
}

// goFollowup finishes an interaction in the background.
func (a *Adapter) goFollowup(f func(context.Context) error) {
	a.inflight.add()
	go func() {
		defer a.inflight.done()
		ctx, cancel := context.WithTimeout(context.Background(), followupWindow)
		defer cancel()
		if err := f(ctx); err != nil {
			a.log.Warn("discord follow-up failed", "err", err)
		}
	}()
}

// inflight counts work still running after its interaction was answered.
// Unlike a WaitGroup it may be added to while someone waits.
type inflight struct {
	mu   sync.Mutex
	n    int
	idle *sync.Cond
}

func (f *inflight) init() { f.idle = sync.NewCond(&f.mu) }

func (f *inflight) add() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
}

func (f *inflight) done() {
	f.mu.Lock()
	f.n--
	if f.n == 0 {
		f.idle.Broadcast()
	}
	f.mu.Unlock()
}

// wait returns when nothing is in flight, or after d (0: no limit).
func (f *inflight) wait(d time.Duration) {
	ch := make(chan struct{})
	go func() {
		f.mu.Lock()
		for f.n > 0 {
			f.idle.Wait()
		}
		f.mu.Unlock()
		close(ch)
	}()
	if d <= 0 {
		<-ch
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}
