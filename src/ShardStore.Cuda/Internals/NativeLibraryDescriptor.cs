namespace ShardStore.Cuda.Internals;

/// <summary>Describes one native library for the current platform: the file names to try and what to tell the user when none loads.</summary>
/// <param name="DisplayName">Human-readable library name, for example <c>libcuda</c>.</param>
/// <param name="CandidateNames">File names tried in order; empty where the platform has no such library.</param>
/// <param name="InstallHint">One or two sentences saying how to install the library on this platform.</param>
internal sealed record NativeLibraryDescriptor(string DisplayName, IReadOnlyList<string> CandidateNames, string InstallHint)
{
    /// <summary>Builds the message of the <see cref="DllNotFoundException"/> thrown when no candidate loads.</summary>
    internal string FormatNotFoundMessage() => CandidateNames.Count == 0
        ? $"ShardStore.Cuda has no CUDA driver to load on this platform. {InstallHint}"
        : $"ShardStore.Cuda could not load the CUDA driver library {DisplayName} (tried: {string.Join(", ", CandidateNames)}). {InstallHint}";
}
