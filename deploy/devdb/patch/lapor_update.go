package common

// lapor_update.go: added to FerretDB's handler/common package by
// deploy/devdb/build.sh.
//
// FerretDB writes each document an update changes in a transaction of its own,
// as soon as it has changed it: an update_many of 50 documents (the notifier's
// results, one command per outcome) was 50 SQLite transactions, each with its
// begin, its commit and its write-ahead-log frames, while every other update
// waited behind the gate's lock (gate.go). UpdateDocument now gathers the
// documents of one update statement and writes them in transactions of up to
// laporUpdateBatch. It writes what it gathered before returning, on errors too,
// so what is written is what FerretDB wrote before, only in fewer transactions;
// other statements of the same command (which may read these documents) start
// after it.
//
// It also ends the statement's read before the writes (fix 12): FerretDB closed
// the query's iterator only when the whole command returned, so its SQLite read
// transaction stayed open while the writes waited for the writer mutex and ran.
// Such a reader keeps the write-ahead log from starting over (and checkpoints from
// copying past its snapshot): at 340 complaints a second about 2,300 reads of
// complaints by _id stayed open over 10 ms in 20 s, and the log's restarts
// (deploy/devdb/checkpoint.go) failed about every other time.

import (
	"context"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

const laporUpdateBatch = 100

// laporBatch is a collection whose UpdateAll gathers documents until flush.
type laporBatch struct {
	backends.Collection
	docs []*types.Document
}

func (b *laporBatch) UpdateAll(ctx context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
	b.docs = append(b.docs, params.Docs...)
	if len(b.docs) >= laporUpdateBatch {
		if err := b.flush(ctx); err != nil {
			return nil, err
		}
	}
	return &backends.UpdateAllResult{Updated: int32(len(params.Docs))}, nil
}

// InsertAll (an upsert) writes what was gathered first, to keep FerretDB's order.
func (b *laporBatch) InsertAll(ctx context.Context, params *backends.InsertAllParams) (*backends.InsertAllResult, error) {
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	return b.Collection.InsertAll(ctx, params)
}

func (b *laporBatch) flush(ctx context.Context) error {
	if len(b.docs) == 0 {
		return nil
	}
	docs := b.docs
	b.docs = nil
	_, err := b.Collection.UpdateAll(ctx, &backends.UpdateAllParams{Docs: docs})
	return err
}

// UpdateDocument is FerretDB's (laporUpdateDocument) with its writes gathered.
func UpdateDocument(ctx context.Context, c backends.Collection, cmd string, iter types.DocumentsIterator, param *Update) (*UpdateResult, error) { //nolint:lll // as FerretDB's
	b := &laporBatch{Collection: c}
	res, err := laporUpdateDocument(ctx, b, cmd, iter, param)
	// The documents are in memory: end the read before writing (fix 12). FerretDB's
	// closer closes the iterator again when the command returns, which is harmless.
	iter.Close()
	if ferr := b.flush(ctx); ferr != nil {
		return nil, lazyerrors.Error(ferr)
	}
	return res, err
}
