using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Paging;

namespace ComfyStudio.Tests.Api;

public sealed class PageRequestTests
{
    [Fact]
    public void Defaults_are_page_1_of_20()
    {
        var p = PageRequest.From(null, null);
        Assert.Equal((1, 20), (p.Page, p.PerPage));
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(-1, 20)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public void Out_of_range_values_are_validation_errors(int page, int perPage)
    {
        var e = Assert.Throws<StudioException>(() => PageRequest.From(page, perPage));
        Assert.Equal(ErrorCodes.ValidationError, e.Code);
    }

    [Fact]
    public void A_page_knows_its_neighbours()
    {
        var items = Enumerable.Range(1, 45).ToList();
        var first = PageRequest.From(1, 20).Apply(items);
        Assert.Equal((20, 45, true, false), (first.Items.Count, first.Total, first.HasNext, first.HasPrev));
        var last = PageRequest.From(3, 20).Apply(items);
        Assert.Equal((5, false, true), (last.Items.Count, last.HasNext, last.HasPrev));
        Assert.Equal(41, last.Items[0]);
        var beyond = PageRequest.From(9, 20).Apply(items);
        Assert.Empty(beyond.Items);
        Assert.False(beyond.HasNext);
    }
}

public sealed class PageRequestOverflowTests
{
    [Fact]
    public void A_page_far_beyond_the_end_is_empty_not_wrapped_around() =>
        Assert.Empty(PageRequest.From(int.MaxValue, 100).Apply(Enumerable.Range(1, 10)).Items);
}
