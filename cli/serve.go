package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"partnerbot/alerts"
	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/chart"
	"partnerbot/demo"
	"partnerbot/hooks"
	"partnerbot/metrics"
	"partnerbot/outbox"
	"partnerbot/referral"
	"partnerbot/store"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	withDemo := fs.Bool("demo", false, "fill an empty database with the demo program first")
	now := fs.String("now", "", "start the bot's clock at this RFC3339 instant (rehearse a Monday)")
	listen := fs.String("listen", "", "listen address, overriding http.listen")
	if _, err := parse(fs, args, 0, 0, "[--demo] [--now RFC3339] [--listen ADDR]"); err != nil {
		return err
	}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("%w: --now %q is not an RFC3339 time like 2026-11-23T08:59:00+01:00", ErrUsage, *now)
		}
		m.Clock = bot.NewShiftedClock(t)
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.HTTP.Listen = *listen
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	log := m.log
	if *withDemo {
		start := time.Now()
		sum, err := demo.Generate(ctx, s, m.Clock.Now(), demo.DefaultSeed)
		switch {
		case bot.ErrorCode(err) == bot.ECONFLICT:
			log.Info("the database is not empty; --demo adds nothing", "db", s.Path())
		case err != nil:
			return fmt.Errorf("demo: %w", err)
		default:
			log.Info("demo program created", "partners", sum.Partners, "managers", sum.Managers,
				"events", sum.Events, "promotions", sum.Promotions, "took", time.Since(start).Round(time.Millisecond))
		}
	}

	if sec := cfg.Secrets; (sec.SlackBotToken != "" || sec.DiscordBotToken != "") && loopbackURL(cfg.HTTP.PublicURL) {
		log.Warn("http.public_url is a loopback address while a chat platform is configured: referral links, QR codes and "+
			"buttons will point nowhere for partners; set http.public_url to the bot's public https address",
			"public_url", cfg.HTTP.PublicURL)
	}
	token := cfg.Secrets.APIToken
	if token == "" {
		token = randomToken()
		log.Warn("PARTNERBOT_API_TOKEN is not set: the API takes a token made for this run only", "token", token)
	}
	reg := metrics.New()
	reg.GaugeFunc("partnerbot_db_bytes", "Size of the database file.", func() float64 { return float64(s.Size()) })
	reg.GaugeFunc("partnerbot_db_staged_events", "Events stored and not yet folded into the ledger (folded 4 096 at a time and before any read).",
		func() float64 { return float64(s.Staged()) })
	notifier := m.notifier(s)
	w := m.newWatch(s, notifier)
	rcv := hooks.New(hooks.Options{Store: s, Clock: m.Clock, Secrets: cfg.Secrets.WebhookSecrets(), Logger: log,
		OnStored: func(p string, newest time.Time) {
			w.Touched(api.Ingested{Newest: map[string]time.Time{p: newest}, Accepted: 1})
		},
		OnOutcome: reg.WebhookDelivery,
	})
	reapply := func(ctx context.Context) {
		if n, left, err := rcv.Reapply(ctx); err != nil {
			log.Error("apply parked webhooks", "err", err)
		} else if n > 0 {
			log.Info("parked webhooks applied", "applied", n, "still_parked", left)
		}
	}
	srv := api.New(api.Options{
		Store: s, Clock: m.Clock, Location: cfg.Location(), Currency: cfg.Currency(), Token: token,
		MaxBody: cfg.HTTP.MaxBodyBytes, MaxFuture: time.Duration(cfg.Ingest.MaxFuture), MaxEvents: cfg.Ingest.MaxRequestEvents, Logger: log, Metrics: reg,
		OnIngest: w.Touched, OnPartner: reapply, OnRate: reapply,
	})
	srv.Handle("POST /hooks/{platform}", rcv)
	hooksAdmin := rcv.AdminHandler()
	srv.HandleAuth("GET /api/v1/hooks", hooksAdmin)
	srv.HandleAuth("POST /api/v1/hooks/replay", hooksAdmin)
	if on := rcv.Enabled(); len(on) > 0 {
		log.Info("webhooks enabled", "platforms", on)
	}
	reapply(ctx)
	clicks := reg.Counter("partnerbot_referral_clicks_total", "Referral link visits, by result: accepted, duplicate, capped (over the per-address cap).", "result")
	srv.Handle("GET /r/{code}", &referral.Redirect{
		Store: s, Clock: m.Clock, Location: cfg.Location(), DefaultLanding: cfg.Program.LandingURL, Logger: log,
		TrustedProxies: cfg.TrustedProxies(), MaxClicksPerAddress: cfg.HTTP.MaxClicksPerAddress,
		OnClick: func(r store.ClickResult) { clicks.Inc(string(r)) },
	})
	srv.Handle("GET /r/{code}/print.svg", &referral.PosterHandler{Store: s, PublicURL: cfg.HTTP.PublicURL, Program: cfg.Program.Name, Logger: log})
	svc := m.commandService(s)
	alerts.Register(svc, notifier)
	runCtx, stopRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRuns()
	activity := func(platform string) func(context.Context, string, string) {
		return func(ctx context.Context, user, channel string) {
			if err := alerts.Activity(ctx, s, platform, user, channel, m.Clock.Now()); err != nil {
				log.Warn("record chat activity", "platform", platform, "err", err)
			}
		}
	}
	chat, err := chatAdapters(runCtx, cfg, svc, srv.Handle, log, &console.Poster{Out: m.Stdout}, activity, s)
	if err != nil {
		return err
	}
	failures := reg.Counter("partnerbot_outbox_total", "Outgoing messages settled, by platform and result: sent, failed.", "platform", "result")
	outboxMetrics(reg, s, m.Clock, chat.senders)
	disp := outbox.New(outbox.Options{Store: s, Senders: chat.senders, Clock: m.Clock, Logger: log,
		ChannelInterval: time.Duration(float64(time.Second) / cfg.Outbox.ChannelPerSecond),
		PlatformRate:    cfg.Outbox.GlobalPerSecond, MaxAttempts: cfg.Outbox.MaxAttempts, Render: chart.Render,
		OnOutcome: func(it *store.OutboxItem) { failures.Inc(it.Target.Platform, it.Status) },
		OnSendError: func(platform string, se *bot.SendError) {
			if se.RetryAfter > 0 {
				reg.PlatformRateLimited(platform, se.Method)
			} else {
				reg.PlatformError(platform, se.Method)
			}
		},
	})
	m.onJobRun = func(job string, finished time.Time, err error) {
		if err != nil {
			reg.JobFailed(job)
		} else {
			reg.JobSucceeded(job, finished)
		}
	}
	sched, err := m.scheduler(s, m.calendar(s, svc.Board(), nil), w)
	if err != nil {
		return err
	}
	// The freshness of each job survives a restart: an alert on "the
	// Monday report did not succeed" must not fire because the bot was
	// redeployed on Tuesday.
	for _, job := range sched.Jobs() {
		if run, err := s.LastJobRun(ctx, job); err == nil && run.Status == "done" {
			reg.JobSucceeded(job, run.Finished)
		}
	}
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		w.run(runCtx)
	}()
	waitChat := chat.run(runCtx, log)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		if err := sched.Run(runCtx); err != nil {
			log.Error("scheduler stopped", "err", err)
		}
	}()
	dispDone := make(chan struct{})
	go func() {
		defer close(dispDone)
		if err := disp.Run(runCtx, time.Second); err != nil {
			log.Error("outbox stopped", "err", err)
		}
	}()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Duration(cfg.HTTP.ReadTimeout),
		WriteTimeout:      time.Duration(cfg.HTTP.WriteTimeout),
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTP.Listen, err)
	}
	log.Info("partnerbot serving", "addr", ln.Addr().String(), "db", s.Path(), "public_url", cfg.HTTP.PublicURL,
		"zone", cfg.Location().String(), "now", m.Clock.Now().In(cfg.Location()).Format(time.RFC3339), "chat", chat.names)
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", time.Duration(cfg.HTTP.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.HTTP.ShutdownTimeout))
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutdown: %w", err)
		}
		log.Warn("requests still running after the shutdown timeout: cutting them off")
		hs.Close()
	}
	stopRuns()
	waitChat()
	<-schedDone
	<-watchDone
	<-dispDone
	if err := m.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

// outboxMetrics exposes the outbox's backlog, read at scrape time: its
// depth by platform (zero for an idle platform, so a rule sees the
// series) and the age of the oldest waiting message.
func outboxMetrics(reg *metrics.Registry, s *store.Store, clock bot.Clock, senders map[string]outbox.Sender) {
	reg.GaugeVecFunc("partnerbot_outbox_pending", "Messages waiting in the outbox to be sent, by platform.", "platform",
		func() (map[string]float64, error) {
			count, _, err := s.OutboxBacklog(context.Background())
			if err != nil {
				return nil, err
			}
			out := map[string]float64{}
			for p := range senders {
				out[p] = 0
			}
			for p, n := range count {
				out[p] = float64(n)
			}
			return out, nil
		})
	reg.GaugeFunc("partnerbot_outbox_oldest_pending_seconds", "Age of the oldest message waiting in the outbox; 0 when none waits.",
		func() float64 {
			_, oldest, err := s.OutboxBacklog(context.Background())
			if err != nil || oldest.IsZero() {
				return 0
			}
			return max(0, clock.Now().Sub(oldest).Seconds())
		})
}

// loopbackURL reports whether a URL's host is this machine only
// (localhost, 127.0.0.0/8, ::1) or unset.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "" || strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
