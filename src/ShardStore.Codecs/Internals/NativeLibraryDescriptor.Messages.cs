namespace ShardStore.Native;

/// <summary>How ShardStore.Codecs names a codec library that does not load.</summary>
internal sealed partial record NativeLibraryDescriptor
{
    /// <summary>Gets what in this assembly needs the library, for example <c>LZ4 and LZ4HC codecs</c>.</summary>
    internal required string UsedBy { get; init; }

    internal partial string FormatNotFoundMessage() =>
        $"ShardStore.Codecs could not load the native {DisplayName} library, which the {UsedBy} need " +
        $"(tried: {string.Join(", ", CandidateNames)}). {InstallHint}";
}
