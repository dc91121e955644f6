namespace ShardStore.Native;

/// <summary>How ShardStore.Images names an image library that does not load.</summary>
internal sealed partial record NativeLibraryDescriptor
{
    /// <summary>Gets what in this assembly needs the library, for example <c>JPEG decoding</c>.</summary>
    internal required string UsedBy { get; init; }

    internal partial string FormatNotFoundMessage() =>
        $"ShardStore.Images could not load the native {DisplayName} library, which {UsedBy} needs " +
        $"(tried: {string.Join(", ", CandidateNames)}). {InstallHint}";
}
