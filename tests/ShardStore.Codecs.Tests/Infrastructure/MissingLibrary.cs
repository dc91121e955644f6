using System.Runtime.InteropServices;
using ShardStore.Native;

namespace ShardStore.Codecs.Tests.Infrastructure;

/// <summary>
/// An import of a library that does not exist, resolved by the product's resolver logic, to show that the
/// resolver's message reaches the code that made the P/Invoke call.
/// </summary>
internal static partial class MissingLibrary
{
    internal const string LogicalName = "shardstore-test-missing";

    // Registered once for the test assembly; the codecs assembly keeps its own resolver.
    static MissingLibrary() => NativeLibrary.SetDllImportResolver(
        typeof(MissingLibrary).Assembly,
        (name, assembly, searchPath) => name == LogicalName ? NativeLibraryProbe.Load(Descriptor, assembly, searchPath) : 0);

    internal static NativeLibraryDescriptor Descriptor { get; } = new(
        "libshardstore-test-missing",
        ["libshardstore_test_missing.so.1", "shardstore_test_missing.dll", "libshardstore_test_missing.dylib"],
        "Install the imaginary test package.")
    {
        UsedBy = "missing-library tests",
    };

    [LibraryImport(LogicalName, EntryPoint = "shardstore_test_missing")]
    internal static partial int CallMissingFunction();
}
