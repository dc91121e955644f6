using System.Diagnostics;
using System.Globalization;
using CacheStress;
using ShardStore.Internals.Caching;
using ShardStore.Storage;

// Usage: CacheStress DIR LIMIT KEY SEED OPERATIONS lru|plan READY_FILE GO_FILE
// Writes READY_FILE, waits for GO_FILE, then reads and writes random chunks of the cache in DIR, checking every hit
// byte for byte. Exit codes: 0 done (counters on stdout), 2 a hit with wrong bytes, 3 the cache's usage over its
// limit, 4 GO_FILE did not appear, 1 usage or failure.
// Or: CacheStress loader ..., a loader over an s3:// dataset through a shared cache directory (see LoaderRun).
if (args.Length > 0 && args[0] == "loader")
{
    return LoaderRun.Run(args);
}

if (args.Length != 8)
{
    Console.Error.WriteLine("usage: CacheStress DIR LIMIT KEY SEED OPERATIONS lru|plan READY_FILE GO_FILE");
    Console.Error.WriteLine("   or: " + LoaderRun.Usage);
    return 1;
}

string directory = args[0];
long limit = long.Parse(args[1], CultureInfo.InvariantCulture);
string key = args[2];
int seed = int.Parse(args[3], CultureInfo.InvariantCulture);
int operations = int.Parse(args[4], CultureInfo.InvariantCulture);
bool planned = args[5] == "plan";

using var cache = ChunkFileCache.Open(directory, limit, key);
var plan = new MovingPlan(seed);
if (planned)
{
    plan.Redraw();
    cache.NextUse = plan;
}

File.WriteAllText(args[6], Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
var wait = Stopwatch.StartNew();
while (!File.Exists(args[7]))
{
    if (wait.Elapsed > TimeSpan.FromMinutes(2))
    {
        Console.Error.WriteLine($"{args[7]} did not appear within 2 minutes.");
        return 4;
    }

    Thread.Sleep(5);
}

var random = new Random(seed);
byte[] buffer = new byte[8192];
for (int i = 0; i < operations; i++)
{
    if (planned && i % 100 == 0)
    {
        plan.Redraw();
    }

    int shard = random.Next(StressChunks.Shards);
    int chunk = random.Next(StressChunks.ChunksPerShard);
    Span<byte> bytes = buffer.AsSpan(0, StressChunks.Size(shard, chunk));
    if (random.Next(100) == 0)
    {
        cache.Remove(shard, chunk);
    }
    else if (cache.TryRead(shard, chunk, bytes))
    {
        int wrong = StressChunks.FirstDifference(shard, chunk, bytes);
        if (wrong >= 0)
        {
            Console.Error.WriteLine($"Shard {shard} chunk {chunk}: byte {wrong} of {bytes.Length} read from the cache is wrong.");
            return 2;
        }
    }
    else
    {
        StressChunks.Fill(shard, chunk, bytes);
        cache.TryWrite(shard, chunk, bytes);
        if (cache.Statistics.BytesOnDisk > limit)
        {
            Console.Error.WriteLine($"The cache counts {cache.Statistics.BytesOnDisk} bytes, over its limit of {limit}.");
            return 3;
        }
    }
}

ChunkCacheStatistics s = cache.Statistics;
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"hits={s.Hits} misses={s.Misses} written={s.BytesWritten} evicted={s.EntriesEvicted} declined={s.DeclinedWrites} lockwait_ms={s.LockWaitTime.TotalMilliseconds:0}"));
return 0;
