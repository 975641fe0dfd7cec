# Real code for the glue classifier's labelled set (issue 13, ninth round): the ML202 noise of the
# unseen rounds 4 and 6, labelled by hand statement by statement (not from the classifier's output:
# ten of these labels disagree with it). Sources, at the commits of bench/truth/manifest.tsv: DrQA
# (BSD) scripts/reader/train.py eval_accuracies; BLIP (BSD-3-Clause) train_vqa.py evaluation; vdvae
# (MIT) train.py train_loop and evaluate. Multi-line docstrings are cut to their first line.
import numpy as np  # other
import os  # other
import torch  # other
from torch.utils.data import DataLoader  # other
from torch.utils.data.distributed import DistributedSampler  # other
from drqa.reader import utils  # other


def eval_accuracies(pred_s, target_s, pred_e, target_e):  # other
    """An unofficial evalutation helper."""  # other
    # Convert 1D tensors to lists of lists (compatibility)
    if torch.is_tensor(target_s):  # other
        target_s = [[e.item()] for e in target_s]  # glue
        target_e = [[e.item()] for e in target_e]  # glue

    # Compute accuracies from targets
    batch_size = len(pred_s)  # other
    start = utils.AverageMeter()  # algorithm
    end = utils.AverageMeter()  # algorithm
    em = utils.AverageMeter()  # algorithm
    for i in range(batch_size):  # other
        # Start matches
        if pred_s[i] in target_s[i]:  # other
            start.update(1)  # algorithm
        else:
            start.update(0)  # algorithm

        # End matches
        if pred_e[i] in target_e[i]:  # other
            end.update(1)  # algorithm
        else:
            end.update(0)  # algorithm

        # Both start and end match
        if any([1 for _s, _e in zip(target_s[i], target_e[i])  # other
                if _s == pred_s[i] and _e == pred_e[i]]):
            em.update(1)  # algorithm
        else:
            em.update(0)  # algorithm
    return start.avg * 100, end.avg * 100, em.avg * 100  # algorithm




def evaluation(model, data_loader, device, config) :  # other
    # test
    model.eval()  # other
            
    metric_logger = utils.MetricLogger(delimiter="  ")  # glue
    header = 'Generate VQA test result:'  # other
    print_freq = 50  # other
    
    result = []  # other
    
    if config['inference']=='rank':     # other
        answer_list = data_loader.dataset.answer_list  # glue
        answer_candidates = model.tokenizer(answer_list, padding='longest', return_tensors='pt').to(device)      # glue
        answer_candidates.input_ids[:,0] = model.tokenizer.bos_token_id  # glue
        
    for n, (image, question, question_id) in enumerate(metric_logger.log_every(data_loader, print_freq, header)):          # glue
        image = image.to(device,non_blocking=True)               # other

        if config['inference']=='generate':  # other
            answers = model(image, question, train=False, inference='generate')   # algorithm
            
            for answer, ques_id in zip(answers, question_id):  # other
                ques_id = int(ques_id.item())         # glue
                result.append({"question_id":ques_id, "answer":answer})               # glue
            
        elif config['inference']=='rank':      # other
            answer_ids = model(image, question, answer_candidates, train=False, inference='rank', k_test=config['k_test'])        # algorithm

            for ques_id, answer_id in zip(question_id, answer_ids):  # other
                result.append({"question_id":int(ques_id.item()), "answer":answer_list[answer_id]})     # glue

    return result  # other


def train_loop(H, data_train, data_valid, preprocess_fn, vae, ema_vae, logprint):  # other
    optimizer, scheduler, cur_eval_loss, iterate, starting_epoch = load_opt(H, vae, logprint)  # other
    train_sampler = DistributedSampler(data_train, num_replicas=H.mpi_size, rank=H.rank)  # glue
    viz_batch_original, viz_batch_processed = get_sample_for_visualization(data_valid, preprocess_fn, H.num_images_visualize, H.dataset)  # other
    early_evals = set([1] + [2 ** exp for exp in range(3, 14)])  # other
    stats = []  # other
    iters_since_starting = 0  # other
    H.ema_rate = torch.as_tensor(H.ema_rate).cuda()  # glue
    for epoch in range(starting_epoch, H.num_epochs):  # other
        train_sampler.set_epoch(epoch)  # glue
        for x in DataLoader(data_train, batch_size=H.n_batch, drop_last=True, pin_memory=True, sampler=train_sampler):  # glue
            data_input, target = preprocess_fn(x)  # other
            training_stats = training_step(H, data_input, target, vae, ema_vae, optimizer, iterate)  # algorithm
            stats.append(training_stats)  # glue
            scheduler.step()  # algorithm
            if iterate % H.iters_per_print == 0 or iters_since_starting in early_evals:  # other
                logprint(model=H.desc, type='train_loss', lr=scheduler.get_last_lr()[0], epoch=epoch, step=iterate, **accumulate_stats(stats, H.iters_per_print))  # glue

            if iterate % H.iters_per_images == 0 or (iters_since_starting in early_evals and H.dataset != 'ffhq_1024') and H.rank == 0:  # other
                write_images(H, ema_vae, viz_batch_original, viz_batch_processed, f'{H.save_dir}/samples-{iterate}.png', logprint)  # glue

            iterate += 1  # other
            iters_since_starting += 1  # other
            if iterate % H.iters_per_save == 0 and H.rank == 0:  # other
                if np.isfinite(stats[-1]['elbo']):  # other
                    logprint(model=H.desc, type='train_loss', epoch=epoch, step=iterate, **accumulate_stats(stats, H.iters_per_print))  # glue
                    fp = os.path.join(H.save_dir, 'latest')  # glue
                    logprint(f'Saving model@ {iterate} to {fp}')  # glue
                    save_model(fp, vae, ema_vae, optimizer, H)  # glue

            if iterate % H.iters_per_ckpt == 0 and H.rank == 0:  # other
                save_model(os.path.join(H.save_dir, f'iter-{iterate}'), vae, ema_vae, optimizer, H)  # glue

        if epoch % H.epochs_per_eval == 0:  # other
            valid_stats = evaluate(H, ema_vae, data_valid, preprocess_fn)  # other
            logprint(model=H.desc, type='eval_loss', epoch=epoch, step=iterate, **valid_stats)  # glue


def evaluate(H, ema_vae, data_valid, preprocess_fn):  # other
    stats_valid = []  # other
    valid_sampler = DistributedSampler(data_valid, num_replicas=H.mpi_size, rank=H.rank)  # glue
    for x in DataLoader(data_valid, batch_size=H.n_batch, drop_last=True, pin_memory=True, sampler=valid_sampler):  # glue
        data_input, target = preprocess_fn(x)  # other
        stats_valid.append(eval_step(data_input, target, ema_vae))  # algorithm
    vals = [a['elbo'] for a in stats_valid]  # glue
    finites = np.array(vals)[np.isfinite(vals)]  # glue
    stats = dict(n_batches=len(vals), filtered_elbo=np.mean(finites), **{k: np.mean([a[k] for a in stats_valid]) for k in stats_valid[-1]})  # algorithm
    return stats  # other
