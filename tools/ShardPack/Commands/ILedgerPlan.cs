namespace ShardPack.Commands;

/// <summary>The plan that <see cref="LedgerCheck"/> checks loader states' ledgers against: of one dataset, or of a mixture or split.</summary>
internal interface ILedgerPlan : IDisposable
{
    /// <summary>
    /// Returns what the ledgers of every rank over positions [<paramref name="from"/>, <paramref name="to"/>) of the
    /// epoch's global order must add up to: the number of positions and the sum of <see cref="LoaderLedger.Hash"/> of
    /// the keys there. The order is walked, not kept: memory stays one batch, whatever the epoch's size.
    /// </summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="generation">The dataset generation the ledger names, or null.</param>
    /// <param name="from">The first position.</param>
    /// <param name="to">The position after the last.</param>
    /// <exception cref="InvalidDataException"><paramref name="to"/> lies past the epoch; the message names the dataset or mixture.</exception>
    (long Count, ulong Sum) Expected(int epoch, int? generation, long from, long to);
}
