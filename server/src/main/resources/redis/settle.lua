-- Settles a reservation (see RedisLimiter). KEYS[i]: counter; per counter i, from ARGV[1 + 3(i-1)]:
-- kind (0 = concurrency: release one; 1 = tokens: correct the bucket; 2 = requests: nothing), bucket epoch, delta.
for i = 1, #KEYS do
  local base = 1 + (i - 1) * 3
  local kind, epoch, delta = tonumber(ARGV[base]), ARGV[base + 1], tonumber(ARGV[base + 2])
  if kind == 0 then
    if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
  elseif kind == 1 and delta ~= 0 and redis.call('HEXISTS', KEYS[i], epoch) == 1 then
    if redis.call('HINCRBY', KEYS[i], epoch, delta) < 0 then redis.call('HSET', KEYS[i], epoch, 0) end
  end
end
return 1
