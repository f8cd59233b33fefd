import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';

export const motoUrl = process.env.THAW_TEST_MOTO_URL;
export const requireMoto = process.env.THAW_REQUIRE_MOTO === '1';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function motoEcs(endpoint: string): ECSClient {
  return new ECSClient({ endpoint, region: 'us-east-1', credentials });
}

/** A VPC, subnet, security group and ECS cluster in moto (it validates the network of a service). */
export async function motoEnvironment(endpoint: string, cluster: string) {
  const ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.0.1.0/24' }));
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${cluster}-stacks`,
      Description: 'thaw stacks',
      VpcId: vpc.Vpc!.VpcId,
    }),
  );
  ec2.destroy();
  const ecs = motoEcs(endpoint);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  return { ecs, subnets: [subnet.Subnet!.SubnetId!], securityGroups: [group.GroupId!] };
}

/**
 * moto runs no tasks: a new service reports runningCount 0 until it is updated. This plays the part of
 * ECS's scheduler for the tests, bringing runningCount to desiredCount, as Fargate would once tasks start.
 */
export async function motoSchedule(ecs: ECSClient, cluster: string): Promise<void> {
  const { serviceArns = [] } = await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }));
  for (let i = 0; i < serviceArns.length; i += 10) {
    const { services = [] } = await ecs.send(
      new DescribeServicesCommand({ cluster, services: serviceArns.slice(i, i + 10) }),
    );
    for (const service of services) {
      if (service.status === 'ACTIVE' && service.runningCount !== service.desiredCount) {
        await ecs.send(
          new UpdateServiceCommand({
            cluster,
            service: service.serviceName,
            desiredCount: service.desiredCount,
          }),
        );
      }
    }
  }
}
