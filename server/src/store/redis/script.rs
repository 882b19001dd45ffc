//! The one script every check runs: the epoch marker, the nonce, the key's share, atomically
//! and in one round trip. Its three keys share a hash slot, so it runs on Redis Cluster too.

/// KEYS: the nonce, the key's counter, the epoch marker of their slot. ARGV: the nonce's expiry
/// (ms), the counter slice, the oldest live slice, the share, the counter's expiry (ms), and
/// the second the credential was issued in.
///
/// Epochs are whole seconds (Redis's clock), as Turbine tokens' `ts` is: a credential issued in
/// an earlier second than the epoch is refused. A marker found missing here means the data was
/// lost at some moment up to now, so the new epoch is the next second: everything issued up to
/// the current second is refused, and a fresh credential passes from the next one.
///
/// Answers 1 (recorded), 0 (a replay), 2 (over the key's share: not recorded), -1 (issued
/// before this slot's data began: possibly used before Redis lost it), -2 (the same, and the
/// marker was missing just now: the data was lost and a new epoch starts), 3 (recorded, and
/// the marker was missing just now: a new epoch starts).
pub(super) const CHECK_SCRIPT: &str = r"
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

/// Makes an epoch marker if it is missing, holding Redis's time (s): the data begins now (a
/// store's first start; credentials issued in this second still pass).
pub(super) const MARKER_SCRIPT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], tonumber(redis.call('TIME')[1]))
  return 1
end
return 0
";
