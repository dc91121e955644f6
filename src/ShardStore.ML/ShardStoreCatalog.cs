using Microsoft.ML;

namespace ShardStore.ML;

/// <summary>Extensions that bring ShardStore datasets into ML.NET's catalogs.</summary>
public static class ShardStoreCatalog
{
    /// <summary>Returns <paramref name="dataset"/> as an <see cref="IDataView"/> (see <see cref="ShardDataView"/> for the columns and row order).</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="dataset">The dataset; the caller keeps it and disposes it after the view's last cursor.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="dataset"/> is null.</exception>
    public static IDataView LoadFromShardDataset(this DataOperationsCatalog catalog, ShardDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ShardDataView.Create(dataset);
    }
}
