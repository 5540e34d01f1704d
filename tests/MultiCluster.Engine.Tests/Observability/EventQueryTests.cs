using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Observability.Events;

namespace MultiCluster.Engine.Tests.Observability;

public class EventQueryTests
{
    [Theory]
    [InlineData("Pod/web/extra")]
    [InlineData("/web")]
    [InlineData("Pod/")]
    [InlineData("Pod/ web")]
    [InlineData(" ")]
    public void A_malformed_involved_object_is_refused_naming_the_parameter(string value)
    {
        var act = () => EventQuery.Create(involvedObject: value);

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(EventErrorIds.InvolvedObjectInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("InvolvedObject");
        error.Message.Should().Be($"-InvolvedObject '{value}' is not Kind/Name or Name.");
    }

    [Theory]
    [InlineData(-3600)]
    [InlineData(0)]
    public void A_since_that_is_not_positive_is_refused(int seconds)
    {
        var act = () => EventQuery.Create(since: TimeSpan.FromSeconds(seconds));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(EventErrorIds.SinceInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("Since");
    }

    [Fact]
    public void An_unknown_type_is_refused()
    {
        var act = () => EventQuery.Create(type: "Error");

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(EventErrorIds.EventTypeInvalid);
    }

    [Fact]
    public void Kind_and_name_or_just_a_name_and_the_type_are_read_as_typed()
    {
        EventQuery.Create("all", involvedObject: "Pod/web-1").Should().BeEquivalentTo(
            new EventQuery { Type = null, ObjectKind = "Pod", ObjectName = "web-1" });
        EventQuery.Create(involvedObject: "web", reason: "BackOff", ns: "shop").Should().BeEquivalentTo(
            new EventQuery { Type = "Warning", ObjectName = "web", Reason = "BackOff", Namespace = "shop" });
        EventQuery.Create("normal").Type.Should().Be("Normal");
    }
}
