package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// allJSON reads every record of a bucket of JSON values, in key order;
// what names a record in the error of one that does not decode.
func allJSON[T any](db *bolt.DB, bucket []byte, what string) ([]T, error) {
	var out []T
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode %s %q: %w", what, k, err)
			}
			out = append(out, rec)
			return nil
		})
	})
	return out, err
}
