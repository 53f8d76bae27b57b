using LocalAzure.Common;

namespace LocalAzure.Model;

/// <summary>
/// The production <see cref="IFaultInjector"/>: an ordered list of rules, each with its own count of matching calls,
/// and one seeded random source for probabilistic rules. Rules can be added and cleared while requests run.
/// </summary>
public sealed class FaultInjector : IFaultInjector
{
    private readonly Lock _sync = new();
    private readonly List<RuleState> _rules = [];
    private readonly Random _random;

    public FaultInjector(int seed, IEnumerable<FaultRule>? rules = null)
    {
#pragma warning disable CA5394 // Seeded randomness is the point: runs must be reproducible.
        _random = new Random(seed);
#pragma warning restore CA5394
        if (rules is not null)
        {
            foreach (var rule in rules)
            {
                Add(rule);
            }
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_sync)
            {
                return _rules.ConvertAll(r => r.Rule);
            }
        }
    }

    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Probability is < 0 or > 1)
        {
            throw new ArgumentException("A fault rule's probability must be between 0 and 1.", nameof(rule));
        }

        if (rule.NthCall is < 1)
        {
            throw new ArgumentException("A fault rule's nthCall is 1-based.", nameof(rule));
        }

        // Validates the pattern now rather than on the first request.
        _ = rule.MatchesTarget(rule.Operation, string.Empty);
        lock (_sync)
        {
            _rules.Add(new RuleState(rule));
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _rules.Clear();
        }
    }

    public FaultRule? Evaluate(string operation, string resourcePath)
    {
        lock (_sync)
        {
            FaultRule? fired = null;
            foreach (var state in _rules)
            {
                if (!state.Rule.MatchesTarget(operation, resourcePath))
                {
                    continue;
                }

                state.Calls++;
                if (fired is not null)
                {
                    continue;
                }

                bool fires;
                if (state.Rule.NthCall is int nth)
                {
                    fires = state.Calls == nth;
                }
                else if (state.Rule.Probability is double p)
                {
#pragma warning disable CA5394
                    fires = _random.NextDouble() < p;
#pragma warning restore CA5394
                }
                else
                {
                    fires = true;
                }

                if (fires)
                {
                    fired = state.Rule;
                }
            }

            return fired;
        }
    }

    private sealed class RuleState(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public int Calls { get; set; }
    }
}
