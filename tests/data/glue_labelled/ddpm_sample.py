# Real code for the glue classifier's labelled set (issue 13): denoising-diffusion-pytorch (MIT),
# denoising_diffusion_pytorch/denoising_diffusion_pytorch.py lines 662-740 at faed4db28e72; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""denoising-diffusion-pytorch: denoising_diffusion_pytorch/denoising_diffusion_pytorch.py (labelled)."""  # other
import torch  # other
from torch.nn import Module  # other
from tqdm.auto import tqdm  # the imports of the file, for the names below  # other
class GaussianDiffusion(Module):  # enclosing class of the methods below  # other

    def p_mean_variance(self, x, t, x_self_cond = None, clip_denoised = True):  # other
        preds = self.model_predictions(x, t, x_self_cond)  # algorithm
        x_start = preds.pred_x_start  # other

        if clip_denoised:  # other
            x_start.clamp_(-1., 1.)  # algorithm

        model_mean, posterior_variance, posterior_log_variance = self.q_posterior(x_start = x_start, x_t = x, t = t)  # algorithm
        return model_mean, posterior_variance, posterior_log_variance, x_start  # other

    @torch.inference_mode()
    def p_sample(self, x, t: int, x_self_cond = None):  # other
        b, *_, device = *x.shape, self.device  # other
        batched_times = torch.full((b,), t, device = device, dtype = torch.long)  # algorithm
        model_mean, _, model_log_variance, x_start = self.p_mean_variance(x = x, t = batched_times, x_self_cond = x_self_cond, clip_denoised = True)  # algorithm
        noise = torch.randn_like(x) if t > 0 else 0. # no noise if t == 0  # algorithm
        pred_img = model_mean + (0.5 * model_log_variance).exp() * noise  # algorithm
        return pred_img, x_start  # other

    @torch.inference_mode()
    def p_sample_loop(self, shape, return_all_timesteps = False):  # other
        batch, device = shape[0], self.device  # other

        img = torch.randn(shape, device = device)  # algorithm
        imgs = [img]  # algorithm

        x_start = None  # other

        for t in tqdm(reversed(range(0, self.num_timesteps)), desc = 'sampling loop time step', total = self.num_timesteps):  # other
            self_cond = x_start if self.self_condition else None  # other
            img, x_start = self.p_sample(img, t, self_cond)  # algorithm
            imgs.append(img)  # algorithm

        ret = img if not return_all_timesteps else torch.stack(imgs, dim = 1)  # algorithm

        ret = self.unnormalize(ret)  # algorithm
        return ret  # other

    @torch.inference_mode()
    def ddim_sample(self, shape, return_all_timesteps = False):  # other
        batch, device, total_timesteps, sampling_timesteps, eta, objective = shape[0], self.device, self.num_timesteps, self.sampling_timesteps, self.ddim_sampling_eta, self.objective  # other

        times = torch.linspace(-1, total_timesteps - 1, steps = sampling_timesteps + 1)   # [-1, 0, 1, 2, ..., T-1] when sampling_timesteps == total_timesteps  # algorithm
        times = list(reversed(times.int().tolist()))  # glue
        time_pairs = list(zip(times[:-1], times[1:])) # [(T-1, T-2), (T-2, T-3), ..., (1, 0), (0, -1)]  # glue

        img = torch.randn(shape, device = device)  # algorithm
        imgs = [img]  # algorithm

        x_start = None  # other

        for time, time_next in tqdm(time_pairs, desc = 'sampling loop time step'):  # other
            time_cond = torch.full((batch,), time, device = device, dtype = torch.long)  # algorithm
            self_cond = x_start if self.self_condition else None  # other
            pred_noise, x_start, *_ = self.model_predictions(img, time_cond, self_cond, clip_x_start = True, rederive_pred_noise = True)  # algorithm

            if time_next < 0:  # other
                img = x_start  # other
                imgs.append(img)  # algorithm
                continue  # other

            alpha = self.alphas_cumprod[time]  # algorithm
            alpha_next = self.alphas_cumprod[time_next]  # algorithm

            sigma = eta * ((1 - alpha / alpha_next) * (1 - alpha_next) / (1 - alpha)).sqrt()  # algorithm
            c = (1 - alpha_next - sigma ** 2).sqrt()  # algorithm

            noise = torch.randn_like(img)  # algorithm

            img = x_start * alpha_next.sqrt() + c * pred_noise + sigma * noise  # algorithm

            imgs.append(img)  # algorithm

        ret = img if not return_all_timesteps else torch.stack(imgs, dim = 1)  # algorithm

        ret = self.unnormalize(ret)  # algorithm
