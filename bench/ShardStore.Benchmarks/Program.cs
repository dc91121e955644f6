using BenchmarkDotNet.Running;

namespace ShardStore.Benchmarks;

internal static class Program
{
    // Run from the repository root: dotnet run -c Release --project bench/ShardStore.Benchmarks -- --filter '*'
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
