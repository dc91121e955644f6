namespace ShardStore.Native;

/// <summary>Describes one native library for the current platform: the file names to try and what to tell the user when none loads.</summary>
/// <param name="DisplayName">Human-readable library name, for example <c>liblz4</c> or <c>libcuda.so.1</c>.</param>
/// <param name="CandidateNames">File names or paths tried in order; empty where the platform has no such library.</param>
/// <param name="InstallHint">One or two sentences saying how to install the library on this platform.</param>
/// <remarks>Each assembly words the message for its own libraries, in its part of this record (<c>NativeLibraryDescriptor.Messages.cs</c>).</remarks>
internal sealed partial record NativeLibraryDescriptor(string DisplayName, IReadOnlyList<string> CandidateNames, string InstallHint)
{
    /// <summary>Builds the message of the <see cref="DllNotFoundException"/> thrown when no candidate loads.</summary>
    internal partial string FormatNotFoundMessage();
}
