using System.Text.Json.Nodes;
using LocalAzure.Arm;
using LocalAzure.Common;
using LocalAzure.Model;
using LocalAzure.Tests.Contract;
using LocalAzure.World;

namespace LocalAzure.Tests;

/// <summary>Fast tests of the pieces that need no server.</summary>
public sealed class UnitTests
{
    [Fact]
    public void Fault_rules_fire_on_the_nth_matching_call_only()
    {
        var faults = new FaultInjector(1, [new FaultRule("Microsoft.DevTestLab/labs/read", "LabA$", FaultKind.InternalServerError, NthCall: 2)]);
        Assert.Null(faults.Evaluate("Microsoft.DevTestLab/labs/read", "/x/labs/LabA"));
        Assert.Null(faults.Evaluate("Microsoft.DevTestLab/labs/read", "/x/labs/LabB"));
        Assert.Equal(FaultKind.InternalServerError, faults.Evaluate("Microsoft.DevTestLab/labs/read", "/x/labs/LabA")?.Kind);
        Assert.Null(faults.Evaluate("Microsoft.DevTestLab/labs/read", "/x/labs/LabA"));
    }

    [Fact]
    public void Probabilistic_fault_rules_are_reproducible_from_the_seed()
    {
        static List<bool> Run(int seed)
        {
            var faults = new FaultInjector(seed, [new FaultRule("*", ".*", FaultKind.ServiceUnavailable, Probability: 0.3)]);
            return [.. Enumerable.Range(0, 50).Select(_ => faults.Evaluate("op", "/p") is not null)];
        }

        Assert.Equal(Run(42), Run(42));
        Assert.Contains(true, Run(42));
        Assert.Contains(false, Run(42));
    }

    [Fact]
    public void Model_clock_scales_durations()
    {
        var clock = new ModelClock(50);
        Assert.Equal(TimeSpan.FromMilliseconds(50), clock.ToReal(TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(2), clock.ToModelled(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Token_buckets_hold_an_hour_of_allowance_per_subscription_and_principal()
    {
        var throttle = new Throttling(new FrozenClock(), readsPerHour: 3, writesPerHour: 1);
        Assert.Equal(2, throttle.Take("s1", "p1", isWrite: false).Remaining);
        Assert.True(throttle.Take("s1", "p1", isWrite: false).Allowed);
        Assert.True(throttle.Take("s1", "p1", isWrite: false).Allowed);
        var denied = throttle.Take("s1", "p1", isWrite: false);
        Assert.False(denied.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(20), denied.ModelledWait);
        Assert.True(throttle.Take("s2", "p1", isWrite: false).Allowed);
        Assert.True(throttle.Take("s1", "p1", isWrite: true).Allowed);
        Assert.False(throttle.Take("s1", "p1", isWrite: true).Allowed);
    }

    [Fact]
    public void Retry_hints_carry_scaled_milliseconds_and_whole_seconds()
    {
        var hints = LongRunningOperations.RetryHints(new ModelClock(50), TimeSpan.FromMinutes(30)).ToDictionary();
        Assert.Equal("1500", hints["retry-after-ms"]);
        Assert.Equal("1500", hints["x-ms-retry-after-ms"]);
        Assert.Equal("2", hints["Retry-After"]);
    }

    [Fact]
    public void World_files_with_dangling_references_are_rejected_with_the_faulty_entry_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => WorldFile.Parse("""
            {
              "subscriptions": [ { "id": "11111111-1111-4111-8111-111111111111", "tenantId": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" } ],
              "labs": [ { "subscriptionId": "11111111-1111-4111-8111-111111111111", "resourceGroup": "rg-missing", "name": "L" } ]
            }
            """));
        Assert.Contains("lab 'L': resource group 'rg-missing'", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => WorldFile.Parse("""{ "unknownField": 1 }"""));
    }

    [Fact]
    public void Both_sample_worlds_load()
    {
        foreach (var name in new[] { "small.json", "reference.json" })
        {
            var world = WorldFile.Load(Path.Combine(LocalAzureFixture.RepositoryRoot, "samples", "worlds", name));
            Assert.NotEmpty(world.Labs);
            var seeded = new WorldSeeder(world);
            Assert.Equal(world.Labs.Count + 1, seeded.Accounts.Count);
        }
    }

    [Fact]
    public void The_committed_world_schema_matches_the_world_types()
    {
        // Regenerate with: dotnet run --project tools/LocalAzure -- schema > samples/worlds/world.schema.json
        var committed = File.ReadAllText(Path.Combine(LocalAzureFixture.RepositoryRoot, "samples", "worlds", "world.schema.json"));
        Assert.Equal(WorldFile.JsonSchema(), committed);
    }

    [Theory]
    [InlineData("GET", "/subscriptions/s/resourceGroups/g/providers/Microsoft.DevTestLab/labs/l/customimages/i", "Microsoft.DevTestLab/labs/customimages/read")]
    [InlineData("GET", "/subscriptions/s/resourceGroups/g/providers/Microsoft.DevTestLab/labs/l/virtualmachines", "Microsoft.DevTestLab/labs/virtualmachines/read")]
    [InlineData("POST", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d/beginGetAccess", "Microsoft.Compute/disks/beginGetAccess/action")]
    [InlineData("GET", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v/instanceView", "Microsoft.Compute/virtualMachines/instanceView/read")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/o", "Microsoft.Compute/locations/operations/read")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.DevTestLab", "Microsoft.Resources/subscriptions/providers/read")]
    public void The_routing_table_maps_paths_to_ARM_actions(string method, string path, string operation)
    {
        var router = new ArmRouter();
        var context = (ArmContext)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(ArmContext));
        var compute = new LocalAzure.Arm.Handlers.ComputeHandlers(context);
        new LocalAzure.Arm.Handlers.ResourcesHandlers(context).Register(router);
        new LocalAzure.Arm.Handlers.DevTestLabHandlers(context, compute).Register(router);
        compute.Register(router);
        new LocalAzure.Arm.Handlers.StorageHandlers(context).Register(router);
        Assert.Equal(operation, router.Match(method, ParsedPath.Parse(path)!, "x").Route.Operation);
    }

    [Fact]
    public void Shape_comparison_reports_missing_properties_and_type_changes()
    {
        var expected = JsonNode.Parse("""{"a":{"b":1,"c":"x"},"d":[{"e":true}],"tags":{"k":"v"}}""");
        var actual = JsonNode.Parse("""{"a":{"b":"1"},"d":[{"e":false}],"tags":{}}""");
        var problems = new List<string>();
        ContractTests.CompareShape(expected, actual, string.Empty, new HashSet<string>(), problems);
        Assert.Equal(["a.b: expected Number, got String", "a.c: missing"], problems);
    }

    private sealed class FrozenClock : IModelClock
    {
        public DateTimeOffset UtcNow { get; } = DateTimeOffset.UnixEpoch;

        public double RealMillisecondsPerModelledSecond => 1;

        public TimeSpan ToReal(TimeSpan modelled) => modelled;

        public TimeSpan ToModelled(TimeSpan real) => real;

        public Task DelayAsync(TimeSpan modelled, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
