using Microsoft.ML;
using Microsoft.ML.Data;

namespace ShardStore.ML.Internals;

/// <summary>Walks the chunks of a <see cref="CursorPlan"/> (steps first, first + stride, ...) holding one chunk at a time.</summary>
/// <remarks>A cursor is used by one thread at a time (ML.NET's contract); the cursors of a set share nothing mutable.</remarks>
internal sealed class ShardRowCursor : DataViewRowCursor
{
    private readonly ShardDataView _view;
    private readonly ShardDataset _dataset;
    private readonly ColumnBinding[] _columns;
    private readonly bool[] _active;
    private readonly CursorPlan _plan;
    private readonly int _stride;
    private readonly Delegate?[] _getters;
    private int _step;
    private ChunkLease? _chunk;
    private int[]? _order;
    private int _index;
    private long _position = -1;
    private bool _done;

    public ShardRowCursor(ShardDataView view, ShardDataset dataset, ColumnBinding[] columns, bool[] active, CursorPlan plan, int first, int stride)
    {
        _view = view;
        _dataset = dataset;
        _columns = columns;
        _active = active;
        _plan = plan;
        _stride = stride;
        _step = first - stride;
        _getters = new Delegate?[columns.Length];
    }

    public override long Position => _position;

    /// <summary>Gets the plan step of the current chunk: non-decreasing in each cursor, and each value belongs to one cursor of a set.</summary>
    public override long Batch => _chunk is null ? 0 : _step;

    public override DataViewSchema Schema => _view.Schema;

    /// <summary>Gets the global index of the current sample.</summary>
    public long SampleIndex => Current.FirstSample + (_order is null ? _index : _order[_index]);

    private ChunkLease Current => _chunk ?? throw new InvalidOperationException(
        _done ? "The cursor is past its last row." : "The cursor has no current row; call MoveNext first.");

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_chunk is not null && ++_index < _chunk.SampleCount)
        {
            _position++;
            return true;
        }

        _chunk?.Dispose();
        _chunk = null;
        _step += _stride;
        if (_step >= _plan.Count)
        {
            _done = true;
            _position = -1;
            return false;
        }

        (int shard, int chunk) = _plan[_step];
        _chunk = _dataset.ReadChunk(shard, chunk);
        _order = _plan.SampleOrder(_step, _chunk.SampleCount);
        _index = 0;
        _position++;
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        CheckColumn(column);
        return _active[column.Index];
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckColumn(column);
        ColumnBinding binding = _columns[column.Index];
        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; ask for it in columnsNeeded.");
        }

        if (typeof(TValue) != binding.GetterValueType)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' is {binding.Type}; its getter takes {binding.GetterValueType.Name}, not {typeof(TValue).Name}.");
        }

        return (ValueGetter<TValue>)(_getters[column.Index] ??= binding.CreateGetter(this));
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId value) => value = new DataViewRowId((ulong)SampleIndex, 0);

    /// <summary>Returns the current sample's elements of <paramref name="field"/>, valid until the next <see cref="MoveNext"/>.</summary>
    public ReadOnlySpan<T> Sample<T>(int field)
        where T : unmanaged
    {
        ChunkLease chunk = Current;
        return chunk.GetSample<T>(field, _order is null ? _index : _order[_index]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunk?.Dispose();
            _chunk = null;
            _done = true;
            _position = -1;
        }

        base.Dispose(disposing);
    }

    private void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _columns.Length || _view.Schema[column.Index].Name != column.Name)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this cursor.");
        }
    }
}
