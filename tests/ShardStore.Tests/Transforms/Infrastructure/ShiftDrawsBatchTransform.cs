using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms.Infrastructure;

/// <summary>
/// A per-batch step: adds one random offset below 100, drawn once per batch, plus each sample's position in the batch,
/// to every "draws" value (i32) of the batch. Stateless, so safe from several workers at once.
/// </summary>
internal sealed class ShiftDrawsBatchTransform : IBatchTransform
{
    private int _field = -1;

    public void Bind(Schema schema)
    {
        _field = schema.IndexOf("draws");
        if (_field < 0)
        {
            throw new ArgumentException($"{nameof(ShiftDrawsBatchTransform)} needs a field 'draws'; the batches have {schema}.", nameof(schema));
        }
    }

    public void Apply(BatchFields batch, ref TransformRandom random)
    {
        int offset = random.NextInt32(100);
        Span<int> draws = batch.Get<int>(_field);
        int perSample = draws.Length / batch.Count;
        for (int i = 0; i < draws.Length; i++)
        {
            draws[i] += offset + (i / perSample);
        }
    }
}
