using LocalAzure.Common;

namespace LocalAzure.Arm;

/// <summary>
/// ARM's throttling: one token bucket for reads and one for writes per (subscription, principal), holding an
/// hour's allowance and refilled continuously in modelled time.
/// </summary>
internal sealed class Throttling(IModelClock clock, int readsPerHour, int writesPerHour)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Scope, string Principal, bool Write), Bucket> _buckets = [];

    public int ReadsPerHour { get; private set; } = readsPerHour;

    public int WritesPerHour { get; private set; } = writesPerHour;

    /// <summary>Changes the limits; resets every bucket to full when <paramref name="reset"/> (or the limit changed).</summary>
    public void Configure(int? reads, int? writes, bool reset)
    {
        lock (_sync)
        {
            ReadsPerHour = reads ?? ReadsPerHour;
            WritesPerHour = writes ?? WritesPerHour;
            if (reset || reads is not null || writes is not null)
            {
                _buckets.Clear();
            }
        }
    }

    /// <summary>Takes one token. Returns the remaining count, or the modelled wait until a token is back.</summary>
    public ThrottleDecision Take(string scope, string principal, bool isWrite)
    {
        lock (_sync)
        {
            var capacity = isWrite ? WritesPerHour : ReadsPerHour;
            var now = clock.UtcNow;
            if (!_buckets.TryGetValue((scope, principal, isWrite), out var bucket))
            {
                bucket = new Bucket { Tokens = capacity, Updated = now };
                _buckets[(scope, principal, isWrite)] = bucket;
            }

            var perSecond = capacity / 3600.0;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + ((now - bucket.Updated).TotalSeconds * perSecond));
            bucket.Updated = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return new ThrottleDecision(true, (int)Math.Floor(bucket.Tokens), TimeSpan.Zero);
            }

            var wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            return new ThrottleDecision(false, 0, wait);
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public DateTimeOffset Updated { get; set; }
    }
}

internal sealed record ThrottleDecision(bool Allowed, int Remaining, TimeSpan ModelledWait);
