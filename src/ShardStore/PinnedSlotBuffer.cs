namespace ShardStore;

/// <summary>
/// One pinned buffer of a <see cref="ShardLoader"/>'s batch slot, as <see cref="ShardLoader.DangerousGetSlotBuffer"/>
/// describes it to a stage that page-locks the slots and copies from them (a GPU copy stage).
/// </summary>
/// <param name="Pointer">The buffer's start: native memory aligned to 4 KiB, never moved.</param>
/// <param name="Capacity">The bytes a batch may fill.</param>
/// <param name="AllocatedBytes">The bytes allocated: <paramref name="Capacity"/> rounded up to whole 4 KiB pages, at least one.</param>
/// <param name="Version">
/// Bumped each time the loader replaces the buffer by a larger one (a variable-length field's values that grew); a
/// registration made for another version refers to freed memory.
/// </param>
public readonly record struct PinnedSlotBuffer(nint Pointer, long Capacity, long AllocatedBytes, int Version);
