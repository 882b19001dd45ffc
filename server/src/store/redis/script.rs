//! The one script every check runs: the epoch marker, the nonce, the key's share, atomically
//! and in one round trip. Its three keys share a hash slot, so it runs on Redis Cluster too.
//!
//! **Why the marker names the Redis process.** A marker that only says when the data began is
//! itself in every snapshot and AOF: a Redis restarted from an older snapshot (the default RDB
//! persistence), from an AOF missing its last second, or from a backup finds its marker and
//! cannot tell the data is old (the third review: 29 of 30 replays accepted after `SAVE`, 30
//! tokens and a `kill -9`). So a marker belongs to one Redis process, named by its `run_id`
//! (`INFO server`; a new one at every start), and a check that does not find its process's
//! marker starts a new epoch, however the data came back. A failover (a replica's own
//! `run_id`) and a resharded slot start one too.
//!
//! **How, without paying for it on every call.** `INFO` costs more than the rest of a check
//! inside Redis, so it is not read per call:
//!
//! - *One Redis*: the marker's key holds the `run_id` in its name (`<prefix>:marker:<run_id>`).
//!   The store reads `INFO` once per connection (it reconnects by itself, never silently: a
//!   TCP connection cannot outlive its Redis process), so every call names the marker of the
//!   process it reaches, at the cost of the old check ([`SINGLE_CHECK_SCRIPT`], measured:
//!   the same instructions per call inside Redis).
//! - *A cluster*, whose node connections redis-rs replaces behind the store's back: the marker
//!   of each slot is a hash of the epoch (`e`), the `run_id` that wrote it (`r`) and a
//!   `LASTSAVE` value that process reported at least two seconds after it (`s`); a check whose
//!   `LASTSAVE` matches needs no `INFO` (a new process starts with `LASTSAVE` = its start time,
//!   later than any value the old one could have kept), so `INFO` runs only in the two seconds
//!   after each save or start ([`CLUSTER_CHECK_SCRIPT`]). The one assumption: a node's wall
//!   clock is not stepped back across a restart by more than the downtime.

/// Reads this Redis process's `run_id` (used inside the scripts below).
macro_rules! run_id_lua {
    () => {
        "local function run_id()\n  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')\nend\n"
    };
}

/// Writes a marker for a new epoch. `saved` is recorded only once it is two seconds old, so
/// that a recorded value is always older than the start of any later process.
macro_rules! mark_lua {
    () => {
        "local function mark(key, epoch, now, saved)\n  local stable = ''\n  if now - saved >= 2 then stable = saved end\n  redis.call('HSET', key, 'e', epoch, 'r', run_id(), 's', stable)\nend\n"
    };
}

/// KEYS: the nonce, the key's counter, the epoch marker of their slot. ARGV: the nonce's expiry
/// (ms), the counter slice, the oldest live slice, the share, the counter's expiry (ms), and
/// the second the credential was issued in.
///
/// Epochs are whole seconds (Redis's clock), as Turbine tokens' `ts` is: a credential issued in
/// an earlier second than the epoch is refused. A marker found missing, or written by another
/// Redis process, means data may have been lost at some moment up to now, so the new epoch is
/// the next second: everything issued up to the current second is refused, and a fresh
/// credential passes from the next one.
///
/// Answers 1 (recorded), 0 (a replay), 2 (over the key's share: not recorded), -1 (issued
/// before this slot's data began: possibly used before Redis lost it), -2 (the same, and a new
/// epoch started just now), 3 (recorded, and a new epoch started just now).
pub(super) const CLUSTER_CHECK_SCRIPT: &str = concat!(
    run_id_lua!(),
    mark_lua!(),
    r"
local fresh = 0
local marker = redis.call('HMGET', KEYS[3], 'e', 'r', 's')
local epoch = tonumber(marker[1])
local saved = redis.call('LASTSAVE')
if not epoch then
  local now = tonumber(redis.call('TIME')[1])
  epoch = now + 1
  mark(KEYS[3], epoch, now, saved)
  fresh = 1
elseif tostring(saved) ~= marker[3] then
  local now = tonumber(redis.call('TIME')[1])
  if run_id() ~= marker[2] then
    epoch = now + 1
    mark(KEYS[3], epoch, now, saved)
    fresh = 1
  elseif now - saved >= 2 then
    redis.call('HSET', KEYS[3], 's', saved)
  end
end
if tonumber(ARGV[6]) < epoch then
  if fresh == 1 then return -2 end
  return -1
end
if not redis.call('SET', KEYS[1], 1, 'NX', 'PXAT', ARGV[1]) then
  return 0
end
local fields = redis.call('HGETALL', KEYS[2])
local total = 0
local oldest = tonumber(ARGV[3])
for i = 1, #fields, 2 do
  if tonumber(fields[i]) < oldest then
    redis.call('HDEL', KEYS[2], fields[i])
  else
    total = total + tonumber(fields[i + 1])
  end
end
if total >= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  return 2
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[5]) then
  redis.call('PEXPIREAT', KEYS[2], ARGV[5])
end
if fresh == 1 then return 3 end
return 1
"
);

/// Makes an epoch marker if it is missing, holding Redis's time (s) and this process: the data
/// begins now (a store's first start; credentials issued in this second still pass). A marker
/// that exists is left alone, even one of another process: the next check decides.
pub(super) const CLUSTER_MARKER_SCRIPT: &str = concat!(
    run_id_lua!(),
    mark_lua!(),
    r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  mark(KEYS[1], tonumber(redis.call('TIME')[1]), tonumber(redis.call('TIME')[1]), redis.call('LASTSAVE'))
  return 1
end
return 0
"
);

/// A single Redis's check: the script of before (an epoch in a plain string) over the marker of
/// the process this connection reaches (`KEYS[3]` = `<prefix>:marker:<run_id>`). KEYS, ARGV
/// and answers as [`CLUSTER_CHECK_SCRIPT`]'s; a missing marker is a new process (or lost data).
pub(super) const SINGLE_CHECK_SCRIPT: &str = r"
local fresh = 0
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = tonumber(redis.call('TIME')[1]) + 1
  redis.call('SET', KEYS[3], epoch)
  fresh = 1
else
  epoch = tonumber(epoch)
end
if tonumber(ARGV[6]) < epoch then
  if fresh == 1 then return -2 end
  return -1
end
if not redis.call('SET', KEYS[1], 1, 'NX', 'PXAT', ARGV[1]) then
  return 0
end
local fields = redis.call('HGETALL', KEYS[2])
local total = 0
local oldest = tonumber(ARGV[3])
for i = 1, #fields, 2 do
  if tonumber(fields[i]) < oldest then
    redis.call('HDEL', KEYS[2], fields[i])
  else
    total = total + tonumber(fields[i + 1])
  end
end
if total >= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  return 2
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[5]) then
  redis.call('PEXPIREAT', KEYS[2], ARGV[5])
end
if fresh == 1 then return 3 end
return 1
";

/// Makes the marker of this process if it is missing, holding Redis's time (s): the data begins
/// now (credentials issued in this second still pass).
pub(super) const SINGLE_MARKER_SCRIPT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], tonumber(redis.call('TIME')[1]))
  return 1
end
return 0
";
