namespace ShardStore.Images.Tests.Infrastructure;

/// <summary>Removes what the test run generated once, at its end.</summary>
[TestClass]
public sealed class TestRunCleanup
{
    [AssemblyCleanup]
    public static void DeleteGeneratedFixtures() => PilFixtureSet.DeleteGenerated();
}
