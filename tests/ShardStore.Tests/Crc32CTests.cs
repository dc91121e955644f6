namespace ShardStore.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void A() => Assert.AreEqual(4, int.Parse("4", System.Globalization.CultureInfo.InvariantCulture));
    [TestMethod]
    public void B() => Assert.Inconclusive("x");
}
