using ShardStore.Format;

namespace ShardStore.Internals.Reading;

/// <summary>
/// The smallest raw size of a chunk of a given sample count (<see cref="ChunkLayout.ComputeRawSize"/> with empty
/// variable fields), remembered for the last count asked: the chunks of a table mostly hold equally many samples.
/// </summary>
internal struct MinRawSize(Schema schema)
{
    private int _count = -1;
    private long _size;

    public long Of(int count)
    {
        if (count != _count)
        {
            _size = ChunkLayout.ComputeRawSize(schema, count, default);
            _count = count;
        }

        return _size;
    }
}
