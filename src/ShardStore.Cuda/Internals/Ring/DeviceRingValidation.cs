namespace ShardStore.Cuda.Internals.Ring;

/// <summary>The checks <see cref="DeviceRing.Create"/> makes before it touches a device, and the size of a slot they use.</summary>
internal static class DeviceRingValidation
{
    /// <summary>Throws when <paramref name="options"/> cannot make a ring over <paramref name="loader"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// The loader hands out zero-copy batches, the caller slots do not match, or the slots do not fit in the budget.
    /// </exception>
    public static void Validate(ShardLoader loader, DeviceRingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SlotCount, 2, "options.SlotCount");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MemoryBudgetBytes, "options.MemoryBudgetBytes");
        ArgumentOutOfRangeException.ThrowIfNegative(options.DeviceOrdinal, "options.DeviceOrdinal");
        if (options.VariableFieldBytes is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, "options.VariableFieldBytes");
        }

        if (!Enum.IsDefined(options.Device))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Device, "Unknown device kind.");
        }

        if (loader.Options.ZeroCopy)
        {
            throw new ArgumentException(
                "The loader was created with ShardLoaderOptions.ZeroCopy, so some batches are spans over the shard files' mapping, not pinned slots; the ring copies to the GPU from the loader's pinned slots. Create the loader without ZeroCopy.",
                nameof(loader));
        }

        Schema schema = loader.Schema;
        int batchSize = loader.Options.BatchSize;
        if (options.CallerSlots is { } slots)
        {
            if (slots.Count != options.SlotCount)
            {
                throw new ArgumentException($"DeviceRingOptions.CallerSlots has {slots.Count} slots; SlotCount is {options.SlotCount}. Pass one DeviceSlotMemory per slot.", nameof(options));
            }

            for (int s = 0; s < slots.Count; s++)
            {
                if (CheckCallerSlot(slots[s], s, schema, batchSize) is { } problem)
                {
                    throw new ArgumentException(problem, nameof(options));
                }
            }

            return;
        }

        long needed = options.SlotCount * SlotBytes(loader, options.VariableFieldBytes);
        if (needed > options.MemoryBudgetBytes)
        {
            throw new ArgumentException(
                $"DeviceRingOptions.MemoryBudgetBytes ({options.MemoryBudgetBytes}) cannot hold {options.SlotCount} device slots of {needed / options.SlotCount} bytes " +
                $"(batch size {batchSize}); raise the budget, or lower SlotCount, the batch size or VariableFieldBytes.",
                nameof(options));
        }
    }

    /// <summary>Returns what is wrong with caller slot <paramref name="index"/>, or null when it can hold every batch.</summary>
    public static string? CheckCallerSlot(DeviceSlotMemory? slot, int index, Schema schema, int batchSize)
    {
        if (slot is null || slot.Fields.Count != schema.Count)
        {
            return $"Caller slot {index} has {slot?.Fields.Count ?? 0} fields; the schema has {schema.Count}.";
        }

        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            DeviceFieldMemory m = slot.Fields[f];
            long values = spec.IsVariable ? 1 : (long)batchSize * spec.BytesPerSample;
            long offsets = spec.IsVariable ? ((long)batchSize + 1) * sizeof(long) : 0;
            if (m.Values == 0 || m.ValuesCapacity < values || (spec.IsVariable && (m.Offsets == 0 || m.OffsetsCapacity < offsets)))
            {
                return $"Caller slot {index}, field '{spec.Name}': needs a values buffer of at least {values} bytes" +
                    (spec.IsVariable ? $" and an offsets buffer of at least {offsets} bytes" : string.Empty) +
                    $" for batches of {batchSize}; got {m.ValuesCapacity} at 0x{m.Values:X} and {m.OffsetsCapacity} at 0x{m.Offsets:X}.";
            }
        }

        return null;
    }

    /// <summary>Returns the device bytes one slot over <paramref name="loader"/> allocates, rounded as the <see cref="DeviceSlotAllocator"/> rounds them.</summary>
    public static long SlotBytes(ShardLoader loader, long? variableFieldBytes)
    {
        Schema schema = loader.Schema;
        int batchSize = loader.Options.BatchSize;
        long total = 0;
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            total += spec.IsVariable
                ? DeviceSlotAllocator.RoundUp(variableFieldBytes ?? loader.DangerousGetSlotBuffer(0, f).Capacity) + DeviceSlotAllocator.RoundUp(((long)batchSize + 1) * sizeof(long))
                : DeviceSlotAllocator.RoundUp((long)batchSize * spec.BytesPerSample);
        }

        return total;
    }
}
