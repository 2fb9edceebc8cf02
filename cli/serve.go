package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"partnerbot/alerts"
	"partnerbot/api"
	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/demo"
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

	token := cfg.Secrets.APIToken
	if token == "" {
		token = randomToken()
		log.Warn("PARTNERBOT_API_TOKEN is not set: the API takes a token made for this run only", "token", token)
	}
	reg := metrics.New()
	reg.GaugeFunc("partnerbot_db_bytes", "Size of the database file.", func() float64 { return float64(s.Size()) })
	notifier := m.notifier(s)
	w := m.newWatch(s, notifier)
	srv := api.New(api.Options{
		Store: s, Clock: m.Clock, Location: cfg.Location(), Currency: cfg.Currency(), Token: token,
		MaxBody: cfg.HTTP.MaxBodyBytes, MaxFuture: time.Duration(cfg.Ingest.MaxFuture), MaxEvents: cfg.Ingest.MaxRequestEvents, Logger: log, Metrics: reg,
		OnIngest: w.Touched,
	})
	clicks := reg.Counter("partnerbot_referral_clicks_total", "Referral link visits counted, by result: accepted, duplicate.", "result")
	srv.Handle("GET /r/{code}", &referral.Redirect{
		Store: s, Clock: m.Clock, Location: cfg.Location(), DefaultLanding: cfg.Program.LandingURL, Logger: log,
		OnClick: func(accepted bool) {
			if accepted {
				clicks.Inc("accepted")
			} else {
				clicks.Inc("duplicate")
			}
		},
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
	disp := outbox.New(outbox.Options{Store: s, Senders: chat.senders, Clock: m.Clock, Logger: log,
		ChannelInterval: time.Duration(float64(time.Second) / cfg.Outbox.ChannelPerSecond),
		PlatformRate:    cfg.Outbox.GlobalPerSecond, MaxAttempts: cfg.Outbox.MaxAttempts,
		OnOutcome: func(it *store.OutboxItem) { failures.Inc(it.Target.Platform, it.Status) },
	})
	sched, err := m.scheduler(s, m.calendar(s, svc.Board(), nil), w)
	if err != nil {
		return err
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

func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
