//! The memory store's journal: what it accepted, on disk, so a restarted server still refuses
//! the tokens it accepted before.
//!
//! One append-only file per expiry slice (`<slice>.log`), 32-byte records, each written before
//! the token is accepted. A write reaches the kernel before the answer goes out, so the
//! journal survives the process being killed (`kill -9` included); it is not synced to the
//! disk per record, so a power cut can lose the last moments. Files whose slice has passed are
//! deleted. The key of the fingerprints is kept beside them (`key`, mode 600), so fingerprints
//! read back match the ones a new process computes.

use core::ops::Range;
use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use signet_core::UnixTime;

/// One accepted nonce: its fingerprint, its key's tag and its expiry, little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) fingerprint: u128,
    pub(crate) key_tag: u64,
    pub(crate) expires_at: i64,
}

const RECORD_LEN: usize = 32;

impl Record {
    fn to_bytes(self) -> [u8; RECORD_LEN] {
        let mut out = [0u8; RECORD_LEN];
        let fields = self.fingerprint.to_le_bytes().into_iter();
        let fields = fields.chain(self.key_tag.to_le_bytes()).chain(self.expires_at.to_le_bytes());
        out.iter_mut().zip(fields).for_each(|(dst, src)| *dst = src);
        out
    }

    fn from_bytes(bytes: &[u8; RECORD_LEN]) -> Self {
        let (fingerprint, rest) = bytes.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
        let (key_tag, rest) = rest.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
        let expires_at = rest.first_chunk::<8>().copied().unwrap_or([0; 8]);
        Record {
            fingerprint: u128::from_le_bytes(*fingerprint),
            key_tag: u64::from_le_bytes(*key_tag),
            expires_at: i64::from_le_bytes(expires_at),
        }
    }
}

/// The journal folder, its open files and the records staged for the next write.
pub(crate) struct Journal {
    dir: PathBuf,
    state: Mutex<State>,
}

/// A staged record's place in the journal: [`Journal::commit`] says whether it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a staged record is on disk only once committed"]
pub(crate) struct Ticket(u64);

/// Batches whose write failed that the journal remembers; tickets older than those count as
/// failed (they are committed within a scheduler round of being staged, so it never happens).
const FAILURES_KEPT: usize = 1024;

#[derive(Default)]
struct State {
    files: BTreeMap<i64, File>,
    /// Records staged and not yet written, with their slice.
    staged: Vec<(i64, Record)>,
    /// The next record's ticket.
    next: u64,
    /// Tickets below this were written, or their write failed.
    written: u64,
    /// Tickets of the latest batches whose write failed.
    failed: VecDeque<Range<u64>>,
    /// Tickets below this whose outcome is no longer known: failed.
    forgotten_below: u64,
    /// The bytes of one slice's records, reused.
    buffer: Vec<u8>,
    /// Batches written, for the tests.
    #[cfg(test)]
    batches: usize,
}

impl State {
    /// Writes every staged record (one `write` per slice among them); on an error the whole
    /// batch counts as failed, whatever part of it reached the file.
    fn write_staged(&mut self, dir: &Path) {
        let batch = self.written..self.next;
        let mut ok = true;
        self.staged.sort_by_key(|&(slice, _)| slice);
        let mut rest = &self.staged[..];
        while let Some(&(slice, _)) = rest.first() {
            let run = rest.iter().take_while(|(s, _)| *s == slice).count();
            let (these, after) = rest.split_at(run);
            rest = after;
            self.buffer.clear();
            these.iter().for_each(|(_, record)| self.buffer.extend_from_slice(&record.to_bytes()));
            let file = match self.files.entry(slice) {
                std::collections::btree_map::Entry::Occupied(open) => open.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    match signet_std::private_file::open_private_append(&dir.join(format!("{slice}.log"))) {
                        Ok(file) => slot.insert(file),
                        Err(_) => {
                            ok = false;
                            continue;
                        }
                    }
                }
            };
            ok &= file.write_all(&self.buffer).is_ok();
        }
        self.staged.clear();
        self.written = self.next;
        #[cfg(test)]
        {
            self.batches += 1;
        }
        if !ok {
            if self.failed.len() == FAILURES_KEPT
                && let Some(oldest) = self.failed.pop_front()
            {
                self.forgotten_below = oldest.end;
            }
            self.failed.push_back(batch);
        }
    }
}

impl Journal {
    /// Opens (creating) the folder; returns the journal, the fingerprint key, and the records
    /// of slices that end at or after `now`. Older files are deleted.
    pub(crate) fn open(
        dir: &Path,
        now: UnixTime,
        slice_end: fn(i64) -> i64,
    ) -> io::Result<(Self, (u64, u64), Vec<Record>)> {
        signet_std::private_file::create_private_dir_all(dir)?;
        let key = Self::key(dir)?;
        let mut records = Vec::new();
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let Some(slice) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".log"))
                .and_then(|n| n.parse::<i64>().ok())
            else {
                continue;
            };
            if slice_end(slice) < now.0 {
                std::fs::remove_file(&path)?;
                continue;
            }
            let mut bytes = Vec::new();
            File::open(&path)?.read_to_end(&mut bytes)?;
            // A record cut short by a crash mid-write is ignored: it was never acknowledged.
            // Appending after it would misalign the rest, so the file is cut back first.
            let whole = bytes.len() - bytes.len() % RECORD_LEN;
            records.extend(
                bytes.chunks_exact(RECORD_LEN).filter_map(|c| c.try_into().ok()).map(Record::from_bytes),
            );
            let file = std::fs::OpenOptions::new().append(true).open(&path)?;
            file.set_len(whole as u64)?;
            files.insert(slice, file);
        }
        let state = State { files, ..State::default() };
        Ok((Journal { dir: dir.to_owned(), state: Mutex::new(state) }, key, records))
    }

    /// The fingerprint key: read, or made and written (atomically, mode 600) the first time.
    fn key(dir: &Path) -> io::Result<(u64, u64)> {
        let path = dir.join("key");
        let bytes = match signet_std::private_file::read_private(&path) {
            Ok(bytes) => bytes,
            Err(signet_std::private_file::PrivateFileError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                let mut fresh = zeroize::Zeroizing::new([0u8; 16]);
                rand_core::Rng::fill_bytes(&mut signet_std::os_rng(), fresh.as_mut());
                signet_std::private_file::write_atomic(&path, fresh.as_ref())?;
                zeroize::Zeroizing::new(fresh.to_vec())
            }
            Err(signet_std::private_file::PrivateFileError::TooOpen { mode }) => {
                return Err(io::Error::other(format!(
                    "{} is accessible by others (mode {mode:o})",
                    path.display()
                )));
            }
            Err(signet_std::private_file::PrivateFileError::Io(e)) => return Err(e),
            Err(e) => return Err(io::Error::other(e)),
        };
        let (a, b) = bytes
            .split_first_chunk::<8>()
            .ok_or_else(|| io::Error::other("replay journal key is damaged"))?;
        let b = b
            .first_chunk::<8>()
            .filter(|_| bytes.len() == 16)
            .ok_or_else(|| io::Error::other("replay journal key is damaged"))?;
        Ok((u64::from_le_bytes(*a), u64::from_le_bytes(*b)))
    }

    /// Stages a record for the next write. Records staged while a scheduler round runs go out
    /// in one `write` (a group commit), which one write per accepted token cost more than the
    /// replay check itself.
    pub(crate) fn stage(&self, slice: i64, record: Record) -> Ticket {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.staged.push((slice, record));
        let ticket = Ticket(state.next);
        state.next += 1;
        ticket
    }

    /// Writes what is staged unless a commit already wrote `ticket`'s record; `Ok` once that
    /// record has reached the kernel (it survives the process being killed), an error if its
    /// batch could not be written.
    pub(crate) fn commit(&self, ticket: Ticket) -> io::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if ticket.0 >= state.written {
            state.write_staged(&self.dir);
        }
        let failed = ticket.0 < state.forgotten_below || state.failed.iter().any(|r| r.contains(&ticket.0));
        if failed { Err(io::Error::other("the replay journal could not be written")) } else { Ok(()) }
    }

    /// Batches written so far.
    #[cfg(test)]
    pub(crate) fn batches(&self) -> usize {
        self.state.lock().map_or(0, |state| state.batches)
    }

    /// Stages and commits one record.
    #[cfg(test)]
    pub(crate) fn append(&self, slice: i64, record: Record) -> io::Result<()> {
        let ticket = self.stage(slice, record);
        self.commit(ticket)
    }

    /// Closes and deletes the files of slices that ended before `now`.
    pub(crate) fn purge(&self, now: UnixTime, slice_end: fn(i64) -> i64) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let passed: Vec<i64> = state.files.keys().copied().filter(|&s| slice_end(s) < now.0).collect();
        for slice in passed {
            state.files.remove(&slice);
            let _ = std::fs::remove_file(self.dir.join(format!("{slice}.log")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_torn_tails_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let end = |s: i64| s * 10 + 9;
        let (journal, key, loaded) = Journal::open(dir.path(), UnixTime(1_000), end).unwrap();
        assert!(loaded.is_empty());
        let record = Record { fingerprint: 7 << 70 | 5, key_tag: 9, expires_at: 1_300 };
        journal.append(130, record).unwrap();
        journal.append(90, Record { expires_at: 905, ..record }).unwrap();
        drop(journal);
        // A torn record after the good one.
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("130.log"))
            .unwrap()
            .write_all(&[1; 5])
            .unwrap();
        let (_, key_again, loaded) = Journal::open(dir.path(), UnixTime(1_000), end).unwrap();
        assert_eq!(key_again, key);
        assert_eq!(loaded, [record]);
        // The passed slice's file is gone; the torn tail is cut, so appends stay aligned.
        assert!(!dir.path().join("90.log").exists());
        assert_eq!(std::fs::metadata(dir.path().join("130.log")).unwrap().len(), 32);
    }

    #[test]
    fn staged_records_go_out_in_one_write_and_each_ticket_learns_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let end = |s: i64| s * 10 + 9;
        let (journal, _, _) = Journal::open(dir.path(), UnixTime(1_000), end).unwrap();
        let record = Record { fingerprint: 1, key_tag: 2, expires_at: 1_300 };
        let tickets: Vec<Ticket> = (0..5)
            .map(|i| journal.stage(130 + i % 2, Record { fingerprint: u128::from(i as u8), ..record }))
            .collect();
        // Nothing is on disk before a commit.
        assert!(!dir.path().join("130.log").exists());
        for ticket in &tickets {
            journal.commit(*ticket).unwrap();
        }
        assert_eq!(journal.state.lock().unwrap().batches, 1);
        assert_eq!(std::fs::metadata(dir.path().join("130.log")).unwrap().len(), 3 * 32);
        assert_eq!(std::fs::metadata(dir.path().join("131.log")).unwrap().len(), 2 * 32);
        drop(journal);
        let (_, _, loaded) = Journal::open(dir.path(), UnixTime(1_000), end).unwrap();
        assert_eq!(loaded.len(), 5);
    }

    #[test]
    fn a_batch_that_cannot_be_written_fails_every_ticket_in_it_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let (journal, _, _) = Journal::open(dir.path(), UnixTime(1_000), |s| s * 10 + 9).unwrap();
        let record = Record { fingerprint: 1, key_tag: 2, expires_at: 1_300 };
        journal.append(130, record).unwrap();
        // The slice's file, swapped for a read-only one: its writes fail.
        std::fs::write(dir.path().join("ro"), b"").unwrap();
        let read_only = File::open(dir.path().join("ro")).unwrap();
        let writable = journal.state.lock().unwrap().files.insert(130, read_only).unwrap();
        let (a, b) = (journal.stage(130, record), journal.stage(130, record));
        assert!(journal.commit(b).is_err());
        assert!(journal.commit(a).is_err());
        journal.state.lock().unwrap().files.insert(130, writable);
        let c = journal.stage(130, record);
        journal.commit(c).unwrap();
        // Failures past those remembered count as failed, never as written.
        journal.state.lock().unwrap().files.insert(130, File::open(dir.path().join("ro")).unwrap());
        for _ in 0..FAILURES_KEPT {
            assert!(journal.append(130, record).is_err());
        }
        assert!(journal.commit(a).is_err());
        assert_eq!(journal.state.lock().unwrap().failed.len(), FAILURES_KEPT);
    }
}
