package store

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// JobRun is the record of one run of a scheduled job for one period.
type JobRun struct {
	Job      string    `json:"job"`
	Key      string    `json:"key"` // job "/" period: "weekly_report/2026-W47"
	Due      time.Time `json:"due"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Status   string    `json:"status"` // running, done, failed
	Error    string    `json:"error,omitempty"`
	CatchUp  bool      `json:"catch_up,omitempty"`
	Attempts int       `json:"attempts"`
}

// JobRun returns the run recorded under key. Returns ENOTFOUND.
func (s *Store) JobRun(ctx context.Context, key string) (JobRun, error) {
	var r JobRun
	err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketJobRuns), key, &r, "job run") })
	return r, err
}

// PutJobRun records a run, replacing the record under its key.
func (s *Store) PutJobRun(ctx context.Context, r JobRun) error {
	return wrap("put job run", s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketJobRuns), r.Key, &r)
	}))
}

// LastJobRun returns the run of job with the greatest period key (period
// labels sort in time order). Returns ENOTFOUND when the job never ran.
func (s *Store) LastJobRun(ctx context.Context, job string) (JobRun, error) {
	var r JobRun
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(job + "/")
		c := tx.Bucket(bucketJobRuns).Cursor()
		k, v := c.Seek(append(bytes.Clone(prefix), 0xff))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		if k == nil || !hasPrefix(k, prefix) {
			return bot.Errorf(bot.ENOTFOUND, "job %s never ran", job)
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}
