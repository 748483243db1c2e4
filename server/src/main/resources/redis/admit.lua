-- Atomic check-and-take over several limits (see RedisLimiter). Counters are hashes: bucket epoch -> count, or a
-- plain integer for concurrency. KEYS[i]: counter. ARGV[1]: now (ms); per counter i, from ARGV[2 + 4(i-1)]:
-- max, amount, bucket length in ms (0 = concurrency), ttl in ms.
-- Returns {rejected index or 0, wait ms, used_1, reset_ms_1, used_2, reset_ms_2, ...} (used after taking).
local now = tonumber(ARGV[1])
local n = #KEYS
local used, oldest, epochs = {}, {}, {}
for i = 1, n do
  local base = 2 + (i - 1) * 4
  local max, amount, bucket = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  if bucket == 0 then
    used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
    oldest[i] = -1
  else
    local epoch = math.floor(now / bucket)
    epochs[i] = epoch
    local all = redis.call('HGETALL', KEYS[i])
    local sum, old, live = 0, -1, {}
    for j = 1, #all, 2 do
      local e = tonumber(all[j])
      -- buckets newer than this request's clock count too: a replica whose request waited (or whose clock lags)
      -- must still see what others admitted in the meantime, or it would admit over the limit
      if e > epoch - 60 then
        local c = tonumber(all[j + 1])
        sum = sum + c
        if c > 0 then
          live[#live + 1] = {e, c}
          if old == -1 or e < old then old = e end
        end
      elseif e <= epoch - 60 then
        redis.call('HDEL', KEYS[i], all[j])
      end
    end
    used[i], oldest[i] = sum, old
    if sum + amount > max then
      table.sort(live, function(a, b) return a[1] < b[1] end)
      local left, wait = sum, 60 * bucket
      for _, b in ipairs(live) do
        left = left - b[2]
        if left + amount <= max then
          wait = (b[1] + 60) * bucket - now
          break
        end
      end
      local out = {i, wait}
      for k = 1, n do out[#out + 1] = used[k] or 0; out[#out + 1] = 0 end
      return out
    end
  end
  if bucket == 0 and used[i] + amount > max then
    local out = {i, 1000}
    for k = 1, n do out[#out + 1] = used[k] or 0; out[#out + 1] = 0 end
    return out
  end
end
local out = {0, 0}
for i = 1, n do
  local base = 2 + (i - 1) * 4
  local amount, bucket, ttl = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  if bucket == 0 then
    redis.call('INCRBY', KEYS[i], amount)
    redis.call('PEXPIRE', KEYS[i], ttl)
    out[#out + 1] = used[i] + amount
    out[#out + 1] = 0
  else
    redis.call('HINCRBY', KEYS[i], epochs[i], amount)
    redis.call('PEXPIRE', KEYS[i], ttl)
    local old = oldest[i]
    if old == -1 then old = epochs[i] end
    out[#out + 1] = used[i] + amount
    out[#out + 1] = (old + 60) * bucket - now
  end
end
return out
