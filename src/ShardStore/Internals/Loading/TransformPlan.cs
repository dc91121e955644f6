using ShardStore.Transforms;

namespace ShardStore.Internals.Loading;

/// <summary>
/// The checked chain of <see cref="ShardLoaderOptions.Transforms"/>, made once when the loader is created: the schema
/// of the batches, and where each field of a sample lives while the chain runs.
/// </summary>
/// <remarks>
/// Fields are numbered in one space: the dataset's fields first (by their index), then every transform's outputs in
/// list order. A field is in the batch (<see cref="SlotField"/>), or is scratch a later transform reads, or is a
/// dataset field a transform consumed.
/// </remarks>
internal sealed class TransformPlan
{
    private TransformPlan(Schema input, Schema output, TransformStep[] steps, FieldSpec[] specs, int[] slotField)
    {
        Input = input;
        Output = output;
        Steps = steps;
        Specs = specs;
        SlotField = slotField;
        SourceOf = new int[output.Count];
        Array.Fill(SourceOf, -1);
        ScratchOffset = new int[specs.Length];
        Array.Fill(ScratchOffset, -1);
        DatasetRead = new bool[input.Count];
        for (int id = 0; id < specs.Length; id++)
        {
            if (slotField[id] >= 0 && id < input.Count)
            {
                SourceOf[slotField[id]] = id;
            }
            else if (slotField[id] < 0 && id >= input.Count)
            {
                ScratchOffset[id] = ScratchBytes;
                ScratchBytes += specs[id].BytesPerSample;
            }
        }

        FinalOutputs = [.. Enumerable.Range(input.Count, specs.Length - input.Count).Where(id => slotField[id] >= 0)];
        foreach (TransformStep step in steps)
        {
            foreach (int id in step.Inputs.Where(id => id < input.Count))
            {
                DatasetRead[id] = true;
            }
        }
    }

    /// <summary>Gets the dataset's schema.</summary>
    public Schema Input { get; }

    /// <summary>Gets the schema of the batches.</summary>
    public Schema Output { get; }

    /// <summary>Gets the transforms in order.</summary>
    public TransformStep[] Steps { get; }

    /// <summary>Gets the spec of every field id.</summary>
    public FieldSpec[] Specs { get; }

    /// <summary>Gets, per field id, its index in <see cref="Output"/>, or -1.</summary>
    public int[] SlotField { get; }

    /// <summary>Gets, per field of <see cref="Output"/>, the dataset field it passes through, or -1 for a transform's output.</summary>
    public int[] SourceOf { get; }

    /// <summary>Gets, per field id, its offset in a worker's scratch (an output only a later transform reads), or -1.</summary>
    public int[] ScratchOffset { get; }

    /// <summary>Gets the bytes of one sample's scratch outputs.</summary>
    public int ScratchBytes { get; }

    /// <summary>Gets the ids of the transform outputs that are in the batch.</summary>
    public int[] FinalOutputs { get; }

    /// <summary>Gets, per dataset field, whether a transform reads it.</summary>
    public bool[] DatasetRead { get; }

    /// <summary>Checks the options' transforms against the dataset's schema; null when there are none.</summary>
    /// <exception cref="ArgumentException">A transform is null, reads a field it does not receive, or declares a variable-length or duplicate output.</exception>
    public static TransformPlan? Create(Schema input, ShardLoaderOptions options)
    {
        IReadOnlyList<ISampleTransform>? transforms = options.Transforms;
        if (transforms is null || transforms.Count == 0)
        {
            return null;
        }

        var specs = new List<FieldSpec>(input.Fields);
        var current = new List<int>(Enumerable.Range(0, input.Count));
        var steps = new TransformStep[transforms.Count];
        for (int k = 0; k < transforms.Count; k++)
        {
            ISampleTransform transform = transforms[k] ?? throw new ArgumentException($"ShardLoaderOptions.Transforms[{k}] is null.", nameof(options));
            string name = $"transform {k} ({transform.GetType().Name})";
            if (current.Count == 0)
            {
                throw new ArgumentException($"The transforms before {name} leave no field to read.", nameof(options));
            }

            var schema = new Schema(current.Select(id => specs[id]));
            TransformSignature signature = transform.Bind(schema) ?? throw new ArgumentException($"{name}: Bind returned null.", nameof(options));
            int[] inputs = new int[signature.Inputs.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                string field = signature.Inputs[i];
                int at = schema.IndexOf(field);
                if (at < 0)
                {
                    throw new ArgumentException($"{name} reads field '{field}', which is not in the schema it receives: {schema}.", nameof(options));
                }

                if (Array.IndexOf(inputs, current[at], 0, i) >= 0)
                {
                    throw new ArgumentException($"{name} lists input field '{field}' twice.", nameof(options));
                }

                inputs[i] = current[at];
            }

            bool replace = !signature.KeepInputs && inputs.Length > 0;
            int insertAt = replace ? current.IndexOf(inputs[0]) : current.Count;
            List<int> remaining = replace ? [.. current.Where(id => Array.IndexOf(inputs, id) < 0)] : current;
            insertAt = replace ? current.Take(insertAt).Count(id => Array.IndexOf(inputs, id) < 0) : insertAt;
            int[] outputs = new int[signature.Outputs.Count];
            for (int o = 0; o < outputs.Length; o++)
            {
                FieldSpec spec = signature.Outputs[o];
                if (spec.IsVariable)
                {
                    throw new ArgumentException($"{name} declares output field '{spec.Name}' variable-length; a transform's outputs need a fixed shape, since batch slots have a fixed size.", nameof(options));
                }

                if (remaining.Any(id => specs[id].Name == spec.Name) || signature.Outputs.Take(o).Any(s => s.Name == spec.Name))
                {
                    throw new ArgumentException($"{name} declares output field '{spec.Name}', and a field of that name is already in the schema after it.", nameof(options));
                }

                outputs[o] = specs.Count;
                specs.Add(spec);
            }

            remaining.InsertRange(insertAt, outputs);
            current = remaining;
            steps[k] = new TransformStep(transform, k, inputs, outputs);
        }

        if (current.Count == 0)
        {
            throw new ArgumentException("The transforms leave no field in the batches.", nameof(options));
        }

        int[] slotField = new int[specs.Count];
        Array.Fill(slotField, -1);
        for (int i = 0; i < current.Count; i++)
        {
            slotField[current[i]] = i;
        }

        return new TransformPlan(input, new Schema(current.Select(id => specs[id])), steps, [.. specs], slotField);
    }
}
