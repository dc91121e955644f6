using Microsoft.ML;
using Microsoft.ML.Data;
using ShardStore.Compression;
using ShardStore.ML.Tests.Infrastructure;

namespace ShardStore.ML.Tests;

[TestClass]
public sealed class ShardDataViewTests
{
    [TestMethod]
    public void Create_NullDataset_Throws() =>
        Assert.ThrowsExactly<ArgumentNullException>(() => ShardDataView.Create(null!));

    [TestMethod]
    public void Schema_EveryDType_MapsToDocumentedColumnTypes()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 3));

        DataViewSchema schema = ShardDataView.Create(dataset).Schema;

        Assert.AreEqual(dataset.Schema.Count, schema.Count);
        Assert.AreEqual(NumberDataViewType.SByte, schema["i8"].Type);
        Assert.AreEqual(NumberDataViewType.Int16, schema["i16"].Type);
        Assert.AreEqual(NumberDataViewType.Int32, schema["i32"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, schema["i64"].Type);
        Assert.AreEqual(NumberDataViewType.Double, schema["f64"].Type);
        AssertVector(schema["u8"].Type, NumberDataViewType.Byte, 3);
        AssertVector(schema["u16"].Type, NumberDataViewType.UInt16, 2, 3);
        AssertVector(schema["u32"].Type, NumberDataViewType.UInt32, 5);
        AssertVector(schema["u64"].Type, NumberDataViewType.UInt64, 2);
        AssertVector(schema["f16"].Type, NumberDataViewType.Single, 4);
        AssertVector(schema["bf16"].Type, NumberDataViewType.Single, 2, 2);
        AssertVector(schema["f32"].Type, NumberDataViewType.Single, 1);
        foreach (FieldSpec field in dataset.Schema.Fields.Where(f => f.IsVariable))
        {
            var type = (VectorDataViewType)schema[field.Name].Type;
            Assert.IsFalse(type.IsKnownSize, field.Name);
        }

        AssertVector(schema["v_i8"].Type, NumberDataViewType.SByte, 0);
        AssertVector(schema["v_bf16"].Type, NumberDataViewType.Single, 0);
        AssertVector(schema["v_f64"].Type, NumberDataViewType.Double, 0);
    }

    [TestMethod]
    public void GetRowCount_Dataset_IsItsSampleCount()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 37));

        Assert.AreEqual(37L, ShardDataView.Create(dataset).GetRowCount());
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void GetRowCursor_EveryColumn_YieldsTheDatasetsValues(CodecKind codec)
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, codec));
        var view = ShardDataView.Create(dataset);

        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        ValueGetter<DataViewRowId> id = cursor.GetIdGetter();
        long rows = 0;
        while (cursor.MoveNext())
        {
            Assert.AreEqual(rows, cursor.Position);
            DataViewRowId rowId = default;
            id(ref rowId);
            Assert.AreEqual((ulong)rows, rowId.Low, "sample order");
            using SampleLease sample = dataset.ReadSample(rows);
            for (int f = 0; f < dataset.Schema.Count; f++)
            {
                FieldSpec field = dataset.Schema[f];
                CollectionAssert.AreEqual(ValueReader.Expected(sample, f, field), ValueReader.FromCursor(cursor, view.Schema[f], field), $"sample {rows}, field {field.Name}");
            }

            rows++;
        }

        Assert.AreEqual(dataset.SampleCount, rows);
        Assert.AreEqual(0L, dataset.LiveLeases, "the cursor holds no chunk after its last row");
    }

    [TestMethod]
    public void GetRowCursor_ColumnSubset_OnlyThoseAreActive()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 20));
        var view = ShardDataView.Create(dataset);

        using DataViewRowCursor cursor = view.GetRowCursor([view.Schema["i32"], view.Schema["v_f16"]]);

        Assert.IsTrue(cursor.IsColumnActive(view.Schema["i32"]));
        Assert.IsTrue(cursor.IsColumnActive(view.Schema["v_f16"]));
        Assert.IsFalse(cursor.IsColumnActive(view.Schema["f64"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<double>(view.Schema["f64"]));
        Assert.IsTrue(cursor.MoveNext());
        int value = 0;
        cursor.GetGetter<int>(view.Schema["i32"])(ref value);
        using SampleLease sample = dataset.ReadSample(0);
        Assert.AreEqual(sample.Get<int>("i32")[0], value);
    }

    [TestMethod]
    public void GetGetter_WrongValueType_Throws()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 5));
        var view = ShardDataView.Create(dataset);
        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);

        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["f64"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<byte>(view.Schema["u8"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<ushort>>(view.Schema["f16"]));
    }

    [TestMethod]
    public void GetGetter_BeforeMoveNext_ThrowsWhenCalled()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 5));
        var view = ShardDataView.Create(dataset);
        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        ValueGetter<long> getter = cursor.GetGetter<long>(view.Schema["i64"]);
        long value = 0;

        Assert.ThrowsExactly<InvalidOperationException>(() => getter(ref value));
    }

    [TestMethod]
    public void GetRowCursor_WithRandom_VisitsEveryRowOnceInAnotherOrder()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None));
        var view = ShardDataView.Create(dataset);

        List<long> first = RowIds(view.GetRowCursor([view.Schema["i64"]], new Random(1)), view, dataset);
        List<long> again = RowIds(view.GetRowCursor([view.Schema["i64"]], new Random(1)), view, dataset);
        List<long> other = RowIds(view.GetRowCursor([view.Schema["i64"]], new Random(2)), view, dataset);

        Assert.IsTrue(view.CanShuffle);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, (int)dataset.SampleCount).Select(i => (long)i).ToList(), first);
        CollectionAssert.AreNotEqual(first.Order().ToList(), first, "not shuffled");
        CollectionAssert.AreEqual(first, again, "the same seed gives the same order");
        CollectionAssert.AreNotEqual(first, other, "another seed gives another order");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void GetRowCursorSet_FourCursors_CoverEveryRowOnceWithDisjointBatches(bool shuffle)
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None));
        var view = ShardDataView.Create(dataset);

        DataViewRowCursor[] cursors = view.GetRowCursorSet([view.Schema["i64"]], 4, shuffle ? new Random(3) : null);

        Assert.AreEqual(4, cursors.Length);
        var seen = new List<long>();
        var batchOwners = new Dictionary<long, int>();
        Parallel.For(0, cursors.Length, i =>
        {
            List<(long Id, long Batch)> rows = Rows(cursors[i], view, dataset);
            List<long> ids = [.. rows.Select(r => r.Id)];
            List<long> batches = [.. rows.Select(r => r.Batch)];
            CollectionAssert.AreEqual(batches.Order().ToList(), batches, $"cursor {i}: batches decrease");
            lock (seen)
            {
                seen.AddRange(ids);
                foreach (long batch in batches.Distinct())
                {
                    Assert.IsTrue(batchOwners.TryAdd(batch, i), $"batch {batch} in cursors {batchOwners.GetValueOrDefault(batch)} and {i}");
                }
            }
        });

        CollectionAssert.AreEquivalent(Enumerable.Range(0, (int)dataset.SampleCount).Select(i => (long)i).ToList(), seen);
        Assert.AreEqual(0L, dataset.LiveLeases);
    }

    [TestMethod]
    public void Dispose_MidwayCursor_ReleasesItsChunk()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteEveryDType(dir, CodecKind.None, samples: 20));
        var view = ShardDataView.Create(dataset);
        DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        Assert.IsTrue(cursor.MoveNext());
        Assert.AreEqual(1L, dataset.LiveLeases);

        cursor.Dispose();
        cursor.Dispose();

        Assert.AreEqual(0L, dataset.LiveLeases);
        Assert.IsFalse(cursor.MoveNext());
    }

    private static List<long> RowIds(DataViewRowCursor cursor, ShardDataView view, ShardDataset dataset) =>
        [.. Rows(cursor, view, dataset).Select(r => r.Id)];

    /// <summary>Reads <paramref name="cursor"/> to the end and disposes it, checking each row's i64 against the dataset; returns the row ids and their batches.</summary>
    private static List<(long Id, long Batch)> Rows(DataViewRowCursor cursor, ShardDataView view, ShardDataset dataset)
    {
        using (cursor)
        {
            var rows = new List<(long Id, long Batch)>();
            ValueGetter<DataViewRowId> id = cursor.GetIdGetter();
            ValueGetter<long> value = cursor.GetGetter<long>(view.Schema["i64"]);
            while (cursor.MoveNext())
            {
                DataViewRowId rowId = default;
                id(ref rowId);
                long actual = 0;
                value(ref actual);
                using SampleLease sample = dataset.ReadSample((long)rowId.Low);
                Assert.AreEqual(sample.Get<long>("i64")[0], actual, $"row {rowId.Low}");
                rows.Add(((long)rowId.Low, cursor.Batch));
            }

            return rows;
        }
    }

    private static void AssertVector(DataViewType type, PrimitiveDataViewType item, params int[] dimensions)
    {
        var vector = Assert.IsInstanceOfType<VectorDataViewType>(type);
        Assert.AreEqual(item, vector.ItemType);
        Assert.AreEqual(dimensions.Aggregate(1, (a, b) => a * b), vector.Size);
        if (dimensions[0] != 0)
        {
            CollectionAssert.AreEqual(dimensions, vector.Dimensions.ToArray());
        }
    }
}
