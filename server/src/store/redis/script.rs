//! The one script every check runs: the epoch marker, the nonce, the key's share, atomically
//! and in one round trip. Its three keys share a hash slot, so it runs on Redis Cluster too.
//!
//! **Why the marker names the Redis process.** A marker that only says when the data began is
//! itself in every snapshot and AOF: a Redis restarted from an older snapshot (the default RDB
//! persistence), from an AOF missing its last second, or from a backup finds its marker and
//! cannot tell the data is old (the third review: 29 of 30 replays accepted after `SAVE`, 30
//! tokens and a `kill -9`). So the marker also holds the `run_id` of the Redis process that
//! wrote it (`INFO server`; a new one at every start), and a marker written by another process
//! means the data may be older than what was accepted: a new epoch starts, however the data
//! came back. A failover (a replica's own `run_id`) and a resharded slot start one too.
//!
//! `INFO server` costs about 3 µs inside Redis, more than the rest of the script, so it is not
//! read on every call: the marker also keeps a `LASTSAVE` value (whole seconds) that this
//! process reported at least two seconds after it, and a check whose `LASTSAVE` differs reads
//! `INFO` to decide. A new process always differs: its `LASTSAVE` starts at its start time,
//! later than any value the old process could have kept two seconds after seeing it. The only
//! way around that is a wall clock stepped back by more than the downtime (docs/redis.md).

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
pub(super) const CHECK_SCRIPT: &str = concat!(
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
pub(super) const MARKER_SCRIPT: &str = concat!(
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
