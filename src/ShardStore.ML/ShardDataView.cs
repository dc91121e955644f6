using Microsoft.ML;
using Microsoft.ML.Data;
using ShardStore.ML.Internals;

namespace ShardStore.ML;

/// <summary>A <see cref="ShardDataset"/> as an ML.NET <see cref="IDataView"/>: one column per field, one row per sample.</summary>
/// <remarks>
/// <para>Column types: a scalar field is a scalar column; a fixed field with a shape is a vector column of known size (its
/// dimensions are the shape's); a variable-length field is a vector column of unknown size. Every dtype maps to the ML.NET
/// number type of the same width and sign (u8 to <see cref="byte"/>, i64 to <see cref="long"/>, f64 to <see cref="double"/>,
/// ...) except the two that ML.NET lacks: f16 and bf16 become <see cref="float"/>, exactly (every binary16 and bfloat16 value,
/// NaN and infinities included, is a float32 value; bf16 is the upper half of a float32's bits).</para>
/// <para>Rows come in sample order, or shuffled when a cursor is asked for with a <see cref="Random"/>: the chunks are visited
/// in a random order and the samples of each chunk in a random order, so each chunk is read and decoded once per pass. That is
/// a local shuffle: samples of one chunk stay together. For data packed in sorted order, add a global shuffle first
/// (<c>mlContext.Data.ShuffleRows</c>) or pack it shuffled. Row ids are the samples' global indices.</para>
/// <para>A cursor reads one chunk at a time through the dataset (checksums and decoding as the dataset is configured), and
/// copies out only its active columns. A chunk is decoded whole (the format compresses chunks, not fields). The view does not
/// own the dataset: dispose the dataset after the last cursor.</para>
/// </remarks>
public sealed class ShardDataView : IDataView
{
    private readonly ShardDataset _dataset;
    private readonly ColumnBinding[] _columns;
    private readonly (int Shard, int Chunk)[] _chunks;

    private ShardDataView(ShardDataset dataset)
    {
        _dataset = dataset;
        var builder = new DataViewSchema.Builder();
        _columns = new ColumnBinding[dataset.Schema.Count];
        for (int f = 0; f < dataset.Schema.Count; f++)
        {
            _columns[f] = new ColumnBinding(f, dataset.Schema[f]);
            builder.AddColumn(dataset.Schema[f].Name, _columns[f].Type);
        }

        Schema = builder.ToSchema();
        var chunks = new List<(int Shard, int Chunk)>();
        for (int shard = 0; shard < dataset.Shards.Count; shard++)
        {
            int count = dataset.GetChunkCount(shard);
            for (int c = 0; c < count; c++)
            {
                chunks.Add((shard, c));
            }
        }

        _chunks = [.. chunks];
    }

    /// <summary>Gets the dataset the view reads.</summary>
    public ShardDataset Dataset => _dataset;

    /// <summary>Gets a value indicating whether cursors can be shuffled: always true (see the remarks on shuffling).</summary>
    public bool CanShuffle => true;

    /// <summary>Gets the columns: one per field, in schema order, named as the fields.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>Creates a view of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The dataset; the caller keeps it and disposes it after the view's last cursor.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    public static ShardDataView Create(ShardDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new ShardDataView(dataset);
    }

    /// <summary>Returns the number of rows: the dataset's sample count.</summary>
    /// <returns>The row count, always known.</returns>
    public long? GetRowCount() => _dataset.SampleCount;

    /// <summary>Returns a cursor over every row, in sample order or shuffled by <paramref name="rand"/>.</summary>
    /// <param name="columnsNeeded">The columns whose getters will be asked for; only these are copied out.</param>
    /// <param name="rand">A random source to shuffle with; null for sample order.</param>
    /// <returns>The cursor; dispose it to release the chunk it holds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="columnsNeeded"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is not one of this view's.</exception>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new ShardRowCursor(this, _dataset, _columns, Active(columnsNeeded), CursorPlan.Create(_chunks, rand), first: 0, stride: 1);

    /// <summary>Returns up to <paramref name="n"/> cursors that together visit every row once, each a disjoint set of chunks, for parallel consumers.</summary>
    /// <param name="columnsNeeded">The columns whose getters will be asked for.</param>
    /// <param name="n">The number of cursors wanted; fewer are returned when the dataset has fewer chunks.</param>
    /// <param name="rand">A random source to shuffle with; null for sample order.</param>
    /// <returns>The cursors; their <see cref="DataViewRow.Batch"/> values tell which chunk, in the order one cursor would visit, each row came from.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="columnsNeeded"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is not one of this view's.</exception>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        bool[] active = Active(columnsNeeded);
        CursorPlan plan = CursorPlan.Create(_chunks, rand);
        int count = Math.Clamp(n, 1, Math.Max(1, _chunks.Length));
        var cursors = new DataViewRowCursor[count];
        for (int i = 0; i < count; i++)
        {
            cursors[i] = new ShardRowCursor(this, _dataset, _columns, active, plan, first: i, stride: count);
        }

        return cursors;
    }

    private bool[] Active(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        bool[] active = new bool[_columns.Length];
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= _columns.Length || Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of this view.");
            }

            active[column.Index] = true;
        }

        return active;
    }
}
