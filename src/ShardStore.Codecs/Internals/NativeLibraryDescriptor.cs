namespace ShardStore.Codecs.Internals;

/// <summary>Describes one native library for the current platform: the file names to try and what to tell the user when none loads.</summary>
/// <param name="DisplayName">Human-readable library name, for example <c>liblz4</c>.</param>
/// <param name="UsedBy">What in this assembly needs the library, for example <c>LZ4 and LZ4HC codecs</c>.</param>
/// <param name="CandidateNames">File names or paths tried in order.</param>
/// <param name="InstallHint">One or two sentences saying how to install the library on this platform.</param>
internal sealed record NativeLibraryDescriptor(
    string DisplayName, string UsedBy, IReadOnlyList<string> CandidateNames, string InstallHint)
{
    /// <summary>Builds the message of the <see cref="DllNotFoundException"/> thrown when no candidate loads.</summary>
    internal string FormatNotFoundMessage() =>
        $"ShardStore.Codecs could not load the native {DisplayName} library, which the {UsedBy} need " +
        $"(tried: {string.Join(", ", CandidateNames)}). {InstallHint}";
}
