using ImageFactory.Engine.Azure;
using ImageFactory.Engine.Vhds;

namespace ImageFactory.Engine.Tests.Vhds;

/// <summary>How often a running copy is polled: soon after its expected end, never hammering a long copy.</summary>
public sealed class CopyPollingTests
{
    [Fact]
    public void Without_progress_the_elapsed_time_rule_applies()
    {
        Assert.Equal(BlobCopies.PollingInterval(TimeSpan.FromMinutes(1)), BlobCopies.PollingInterval(TimeSpan.FromMinutes(1), 0, 1000));
    }

    [Fact]
    public void With_progress_it_polls_at_half_the_expected_remaining_time()
    {
        // A quarter copied in 4 s: 12 s remain at that rate, so the next poll is in 6 s.
        Assert.Equal(TimeSpan.FromSeconds(6), BlobCopies.PollingInterval(TimeSpan.FromSeconds(4), 250, 1000));
    }

    [Fact]
    public void It_stays_between_200_ms_and_15_s()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), BlobCopies.PollingInterval(TimeSpan.FromMilliseconds(100), 999, 1000));
        Assert.Equal(TimeSpan.FromSeconds(15), BlobCopies.PollingInterval(TimeSpan.FromHours(1), 1, 1000));
    }

    [Fact]
    public void A_copy_that_waited_for_a_slot_is_not_polled_late()
    {
        // Only the copy's own running time counts: 2 s into a copy that is half done, the next poll is in 1 s,
        // however long the copy queued before it started.
        Assert.Equal(TimeSpan.FromSeconds(1), BlobCopies.PollingInterval(TimeSpan.FromSeconds(2), 500, 1000));
    }
}
